/** Random draws from a run context's seeded uniform generator (never Math.random). */

/** Uniform in `[lo, hi)`. */
export function uniform(rng: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Standard normal by Box-Muller (uses two uniforms per call; deterministic for a seeded rng). */
export function normal(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
