/**
 * Repeatability of a training (docs/metrics.md, "Repeatability"): the same
 * network trained with N seeds, each test metric reported as the mean, the
 * sample standard deviation and the range across the seeds that gave it.
 */
import type { AcrossSeeds, EpochMetrics } from '../../api';

/** Mean, SD and range of every scalar test metric over the seeds' evaluations. */
export function acrossSeeds(evaluations: readonly EpochMetrics[]): Record<string, AcrossSeeds> {
  const values = new Map<string, number[]>();
  for (const metrics of evaluations)
    for (const [name, value] of Object.entries(metrics))
      if (typeof value === 'number' && Number.isFinite(value))
        values.set(name, [...(values.get(name) ?? []), value]);
  const out: Record<string, AcrossSeeds> = {};
  for (const [name, list] of [...values.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const n = list.length;
    const mean = list.reduce((s, v) => s + v, 0) / n;
    const sd = n > 1 ? Math.sqrt(list.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
    out[name] = { mean, sd, min: Math.min(...list), max: Math.max(...list), n };
  }
  return out;
}
