import { EventEmitter } from 'node:events';
import type { FinishReason } from '../../domain';

/** Emitted when a generation has really stopped: node-llama-cpp's call returned or threw. */
export interface GenerationEnd {
  model: string;
  /** 'error' when the call failed. */
  finishReason: FinishReason | 'error';
  completionTokens: number;
  durationMs: number;
}

/**
 * What the provider is generating right now. A cancelled stream is only proven stopped when the
 * generation underneath ends, so tests and metrics watch this rather than the stream.
 */
export class GenerationActivity {
  private readonly events = new EventEmitter();
  private running = 0;
  private produced = 0;

  /** Generations in progress (sequence borrowed, tokens may still come). */
  get active(): number {
    return this.running;
  }

  /** Tokens produced by every generation so far; it stops moving once all are stopped. */
  get tokensProduced(): number {
    return this.produced;
  }

  /** Calls `listener` after each generation ends; returns the unsubscribe function. */
  onEnd(listener: (end: GenerationEnd) => void): () => void {
    this.events.on('end', listener);
    return () => this.events.off('end', listener);
  }

  /** Marks a generation started; the returned function marks it ended. */
  begin(model: string): { tokens: (count: number) => void; end: (finishReason: GenerationEnd['finishReason']) => void } {
    const started = Date.now();
    let completionTokens = 0;
    let ended = false;
    this.running += 1;
    return {
      tokens: (count) => {
        completionTokens += count;
        this.produced += count;
      },
      end: (finishReason) => {
        if (ended) return;
        ended = true;
        this.running -= 1;
        this.events.emit('end', { model, finishReason, completionTokens, durationMs: Date.now() - started } satisfies GenerationEnd);
      },
    };
  }
}
