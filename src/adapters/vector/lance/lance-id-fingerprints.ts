/**
 * A multiset of 64-bit fingerprints of ids: what the adapter keeps in memory to know, without
 * asking LanceDB, that an id is NOT stored. "Absent" is certain; "present" may rarely be a
 * different id with the same fingerprint (about n / 2^64 per lookup: 5e-14 at a million ids), so
 * callers confirm a "present" before acting on it when it matters (Insert's ALREADY_EXISTS).
 *
 * Open addressing with linear probing over two Uint32Arrays (the halves of the fingerprint), kept
 * between a quarter and a half full: 16–32 bytes per id whatever the id's length (a JS Set of the
 * ids themselves measured 45 MB per million 7-character ids and grows with their length).
 * An id added twice is held twice and must be removed twice, so two ids sharing a fingerprint
 * never hide each other.
 */
export class IdFingerprints {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 0) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (what the id lookup costs in memory). */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  add(id: string): void {
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    this.put(hashA(id), hashB(id));
    this.count += 1;
  }

  has(id: string): boolean {
    return this.find(hashA(id), hashB(id)) !== -1;
  }

  /** Removes one copy; false when none was held. */
  remove(id: string): boolean {
    let at = this.find(hashA(id), hashB(id));
    if (at === -1) return false;
    // Backward-shift deletion: entries after the hole that probed past it move up, so every
    // remaining entry stays reachable from its home slot without tombstones.
    for (let next = (at + 1) & this.mask; !this.empty(next); next = (next + 1) & this.mask) {
      const home = this.hi[next]! & this.mask;
      const between = at <= next ? at < home && home <= next : at < home || home <= next;
      if (between) continue;
      this.hi[at] = this.hi[next]!;
      this.lo[at] = this.lo[next]!;
      at = next;
    }
    this.hi[at] = 0;
    this.lo[at] = 0;
    this.count -= 1;
    return true;
  }

  private find(a: number, b: number): number {
    for (let i = a & this.mask; !this.empty(i); i = (i + 1) & this.mask) {
      if (this.hi[i] === a && this.lo[i] === b) return i;
    }
    return -1;
  }

  private put(a: number, b: number): void {
    let i = a & this.mask;
    while (!this.empty(i)) i = (i + 1) & this.mask;
    this.hi[i] = a;
    this.lo[i] = b;
  }

  private empty(i: number): boolean {
    return this.hi[i] === 0 && this.lo[i] === 0;
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.mask = this.hi.length - 1;
    for (let i = 0; i < hi.length; i += 1) if (hi[i] !== 0 || lo[i] !== 0) this.put(hi[i]!, lo[i]!);
  }
}

/** Two independent 32-bit hashes of the UTF-16 code units; (0, 0) is kept for empty slots. */
function hashA(id: string): number {
  return mix(id, 0x9e3779b9);
}

function hashB(id: string): number {
  return mix(id, 0x85ebca77) || 1;
}

function mix(s: string, seed: number): number {
  let h = (seed ^ s.length) >>> 0;
  for (let i = 0; i < s.length; i += 1) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  // murmur3's finaliser: every input bit reaches every output bit.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
