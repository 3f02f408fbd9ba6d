// Seeded randomness: the only source of random numbers in cxrlab. A run's seed is split into named
// sub-seeds (split, shuffle, init, augment) so changing one consumer never shifts another's stream.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Derives a 32-bit sub-seed from a seed and a name, e.g. `deriveSeed(42, 'split')`. */
export function deriveSeed(seed: number, name: string): number {
  let h = FNV_OFFSET; // the seed is part of the hashed text (XOR-ing it in as well cancelled it out for 0–9)
  for (const ch of `${seed}:${name}`) {
    h = Math.imul(h ^ ch.charCodeAt(0), FNV_PRIME) >>> 0;
  }
  return h;
}

/** A small, fast PRNG (mulberry32) with a uniform [0, 1) stream; same seed, same stream, in any process. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}
