/**
 * Seeded random numbers for modules: every (run seed, node, sample)
 * gets its own stream, so results do not depend on processing order or on
 * other workers (the MONAI #398 pitfall).
 */
import { createHash } from 'node:crypto';

/** A 32-bit seed derived from any strings. */
export function seedFrom(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0);
}

/** Mulberry32: small, fast, good enough for augmentation; uniform in [0, 1). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
