import { EventEmitter } from 'node:events';

/** One model run of an `embed` call: which of its chunks, and how many texts it holds. */
export interface ChunkStart {
  model: string;
  /** 0-based. */
  chunk: number;
  chunks: number;
  texts: number;
}

/**
 * What the provider is computing right now, counted in model runs (chunks, embed-texts.ts). A
 * cancelled embedding is only proven stopped when the calls underneath end and no further chunk
 * starts, so tests and diagnostics watch this rather than the caller's answer.
 */
export class EmbeddingActivity {
  private readonly events = new EventEmitter();
  private running = 0;
  private chunks = 0;
  private texts = 0;

  /** `embed` calls in progress. */
  get active(): number {
    return this.running;
  }

  /** Model runs started so far. */
  get chunksStarted(): number {
    return this.chunks;
  }

  /** Texts handed to the model so far. */
  get textsStarted(): number {
    return this.texts;
  }

  /** Calls `listener` as each model run starts; returns the unsubscribe function. */
  onChunk(listener: (start: ChunkStart) => void): () => void {
    this.events.on('chunk', listener);
    return () => this.events.off('chunk', listener);
  }

  /** Marks a call started; the returned functions report its chunks and its end. */
  begin(model: string): { chunk: (chunk: number, chunks: number, texts: number) => void; end: () => void } {
    let ended = false;
    this.running += 1;
    return {
      chunk: (chunk, chunks, texts) => {
        this.chunks += 1;
        this.texts += texts;
        this.events.emit('chunk', { model, chunk, chunks, texts } satisfies ChunkStart);
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.running -= 1;
      },
    };
  }
}
