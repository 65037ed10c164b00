import type { RerankScores } from '../../domain';
import { errors } from '../../errors';
import { cancellation } from './llamacpp-errors';
import type { Runtime } from './llamacpp-models';
import type { LlamaModel, LlamaRankingContext, Token } from './llamacpp-sdk';
import type { LlamaSettings } from './llamacpp-settings';

/**
 * Pairs per rankAll call. node-llama-cpp evaluates the pairs of a ranking context one after the
 * other on its one sequence and takes no AbortSignal, so a call is cut into groups and a caller
 * who left stops the work at the next group. Eight pairs of a 512-token window are well under a
 * second of a small reranker on two cores.
 */
export const RANK_GROUP = 8;

/** The message the provider gives for a GGUF without a ranking head, at registration and at load. */
export function noRankingHead(path: string): string {
  return (
    `model file ${path} cannot rank documents: it has no ranking head (a reranker GGUF, such as a bge-reranker or ` +
    `Qwen3-Reranker conversion, carries a cls.weight or cls.output.weight tensor); register it with parameters.kind 'generation'`
  );
}

/**
 * A GGUF reranker in memory: the model and one ranking context (LlamaRankingContext, whose score
 * is the sigmoid of the ranking head's logit, 0..1). Unloading waits for the group being ranked.
 */
export class LoadedRanker {
  private active = 0;
  private disposed = false;
  private whenIdle: (() => void) | undefined;

  private constructor(private readonly model: LlamaModel, private readonly context: LlamaRankingContext) {}

  static async load({ llama }: Runtime, settings: LlamaSettings): Promise<LoadedRanker> {
    const model = await llama.loadModel({ modelPath: settings.modelPath, gpuLayers: 0 });
    try {
      if (!model.fileInsights.supportsRanking) throw errors.failedPrecondition(noRankingHead(settings.modelPath));
      const context = await model.createRankingContext({ contextSize: settings.contextSize, threads: settings.threads });
      return new LoadedRanker(model, context);
    } catch (e) {
      await model.dispose();
      throw e;
    }
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  /**
   * Scores in input order. A document whose pair with the query does not fit the context keeps
   * its first tokens (reported in `truncated`); `onGroup` is told before each group runs.
   */
  async rank(query: string, documents: string[], signal: AbortSignal | undefined, onGroup: (group: number, groups: number, size: number) => void): Promise<RerankScores> {
    if (this.disposed) throw errors.unavailable('the model was unloaded; retry');
    this.active += 1;
    try {
      const queryTokens = this.model.tokenize(query);
      const fitted = documents.map((d) => this.fitBesideQuery(queryTokens, this.model.tokenize(d)));
      const scores: number[] = [];
      const groups = Math.ceil(fitted.length / RANK_GROUP);
      for (let g = 0; g < groups; g += 1) {
        if (signal?.aborted) throw cancellation(signal);
        if (this.disposed) throw errors.unavailable('the model was unloaded during the call; retry');
        const group = fitted.slice(g * RANK_GROUP, (g + 1) * RANK_GROUP);
        onGroup(g, groups, group.length);
        scores.push(...(await this.context.rankAll(queryTokens, group.map((f) => f.tokens))));
      }
      if (signal?.aborted) throw cancellation(signal);
      const tokens = fitted.reduce((n, f) => n + this.context.calculateInputLength(queryTokens, f.tokens), 0);
      return { scores, truncated: fitted.map((f) => f.truncated), tokens };
    } finally {
      this.active -= 1;
      if (this.active === 0) this.whenIdle?.();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.active > 0) await new Promise<void>((done) => (this.whenIdle = done));
    await this.context.dispose();
    await this.model.dispose();
  }

  /** The document's tokens as they fit beside the query (the context needs one token to spare). */
  private fitBesideQuery(query: Token[], document: Token[]): { tokens: Token[]; truncated: boolean } {
    const over = this.context.calculateInputLength(query, document) - (this.context.contextSize - 1);
    if (over <= 0) return { tokens: document, truncated: false };
    const keep = document.length - over;
    if (keep < 1) throw errors.invalidArgument('query', `leaves no room for a document in the model's ${this.context.contextSize}-token context; shorten it`);
    return { tokens: document.slice(0, keep), truncated: true };
  }
}
