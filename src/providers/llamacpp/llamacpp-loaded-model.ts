import { errors } from '../../errors';
import { cancellation } from './llamacpp-errors';
import type { LlamaSettings } from './llamacpp-settings';
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel, LlamaSdk } from './llamacpp-sdk';

interface Waiter {
  grant: (sequence: LlamaContextSequence) => void;
  fail: (error: unknown) => void;
  stop: AbortController;
  onAbort: () => void;
}

/**
 * One GGUF model in memory with one context of `concurrency` sequences. Each generation borrows a
 * sequence; callers beyond that wait in arrival order (the domain's FIFO limiter normally keeps
 * them from getting here at all).
 */
export class LoadedModel {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: Waiter[] = [];
  /** Stops of the generations running now, so unloading can end them first. */
  private readonly running = new Set<AbortController>();
  private disposed = false;
  private whenIdle: (() => void) | undefined;

  private constructor(
    readonly sdk: LlamaSdk,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    /** Resolved once: node-llama-cpp needs ~1 s to match a model's Jinja template to a wrapper. */
    readonly chatWrapper: ChatWrapper | undefined,
  ) {
    for (let i = 0; i < context.totalSequences; i++) this.free.push(context.getSequence());
  }

  static async load(sdk: LlamaSdk, llama: Llama, settings: LlamaSettings): Promise<LoadedModel> {
    // gpuLayers 0: CPU only, whatever the binary could offload.
    const model = await llama.loadModel({ modelPath: settings.modelPath, gpuLayers: 0 });
    try {
      const context = await model.createContext({
        contextSize: settings.contextSize,
        sequences: settings.concurrency,
        threads: settings.threads,
      });
      const wrapper = settings.chatTemplate ? sdk.resolveChatWrapper(model) : undefined;
      return new LoadedModel(sdk, model, context, wrapper);
    } catch (e) {
      await model.dispose();
      throw e;
    }
  }

  /** Tokens one sequence holds (prompt + completion); llama.cpp may round the request up. */
  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Borrows a sequence for one generation; `stop` is aborted if the model is unloaded meanwhile. */
  async acquire(stop: AbortController): Promise<LlamaContextSequence> {
    if (this.disposed) throw errors.unavailable('the model was unloaded; retry');
    const signal = stop.signal;
    if (signal.aborted) throw cancellation(signal);
    this.running.add(stop);
    const ready = this.free.pop();
    if (ready) return ready;
    return new Promise<LlamaContextSequence>((grant, fail) => {
      const waiter: Waiter = {
        grant,
        fail,
        stop,
        onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          this.settle(stop);
          fail(cancellation(signal));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Returns a sequence once its generation has really ended. */
  release(sequence: LlamaContextSequence, stop: AbortController): void {
    this.settle(stop);
    const next = this.waiting.shift();
    if (next) {
      next.stop.signal.removeEventListener('abort', next.onAbort);
      next.grant(sequence);
    } else {
      this.free.push(sequence);
    }
  }

  /** Ends running generations (they finish as cancelled), waits for them, then frees context and weights. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.waiting.splice(0)) {
      w.stop.signal.removeEventListener('abort', w.onAbort);
      this.settle(w.stop);
      w.fail(errors.unavailable('the model was unloaded; retry'));
    }
    if (this.running.size > 0) {
      const idle = new Promise<void>((done) => (this.whenIdle = done));
      for (const stop of this.running) stop.abort();
      await idle;
    }
    await this.context.dispose();
    await this.model.dispose();
  }

  private settle(stop: AbortController): void {
    this.running.delete(stop);
    if (this.running.size === 0) this.whenIdle?.();
  }
}
