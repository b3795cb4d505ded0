/**
 * Seeded randomness for the power-loss suites: every random moment comes from one seed, printed by each test, and
 * SLUICE_POWERLOSS_SEED=<n> replays it.
 */

/** The suite's seed: SLUICE_POWERLOSS_SEED, or a fresh random one. */
export const suiteSeed: number = (() => {
  const given = process.env.SLUICE_POWERLOSS_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`SLUICE_POWERLOSS_SEED must be a non-negative integer, not ${given}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
})();

/** A small deterministic generator (mulberry32). */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

/** The generator of one named case: independent of the others, so one case replays alone with the same seed. */
export function rngFor(name: string, seed = suiteSeed): Rng {
  let h = seed >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0;
  return new Rng(h);
}
