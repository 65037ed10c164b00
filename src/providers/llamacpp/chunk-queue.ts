/**
 * Turns node-llama-cpp's push callbacks (onTextChunk) into an async iterable. Unbounded on
 * purpose: a generation's text is bounded by max_tokens, and blocking the callback would stall
 * the shared context for every sequence.
 */
export class ChunkQueue implements AsyncIterable<string> {
  private readonly items: string[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  push(text: string): void {
    if (this.ended || text === '') return;
    this.items.push(text);
    this.notify();
  }

  /** No more chunks; with an error, iteration throws it after the buffered chunks. */
  end(error?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
      } else if (this.ended) {
        if (this.failure) throw this.failure.error;
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
