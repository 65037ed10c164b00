/**
 * The soak collection's ids: `slot-0` .. `slot-(n-1)`, each free, stored or held by one call in
 * flight. Writers take slots before calling and give them back after, so Insert never meets a
 * stored id (no ALREADY_EXISTS), Delete removes what is there, and the collection holds at most n
 * rows however long the soak runs.
 */
export class IdSlots {
  private readonly state: ('free' | 'stored' | 'busy')[];

  constructor(readonly size: number) {
    this.state = Array.from({ length: size }, () => 'free');
  }

  static idOf(slot: number): string {
    return `slot-${slot}`;
  }

  /** Up to `count` slots now in one of `from`, marked busy; scanning starts at a random point. */
  take(count: number, from: readonly ('free' | 'stored')[], rand: () => number): number[] {
    const out: number[] = [];
    const start = Math.floor(rand() * this.size);
    for (let k = 0; k < this.size && out.length < count; k += 1) {
      const slot = (start + k) % this.size;
      const s = this.state[slot]!;
      if (s !== 'busy' && from.includes(s)) {
        this.state[slot] = 'busy';
        out.push(slot);
      }
    }
    return out;
  }

  /** After a call: its slots become `now`; after a failed call their state is unknown, so stored is assumed (Upsert and Delete cope). */
  release(slots: readonly number[], now: 'free' | 'stored'): void {
    for (const slot of slots) this.state[slot] = now;
  }

  count(state: 'free' | 'stored' | 'busy'): number {
    return this.state.filter((s) => s === state).length;
  }
}
