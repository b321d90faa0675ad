/**
 * A trial's result from the `epoch` events its training emitted: the epoch
 * where the optimised metric was best, and the scalar metrics of every split
 * at that epoch, named `split.metric` (`validation.accuracy`, `train.loss`).
 */
import type { EngineEvent } from '../api';
import { LOWER_IS_BETTER } from '../nn/params';
import type { Goal } from './genetic';

/** An `epoch` event. */
export type EpochEvent = Extract<EngineEvent, { type: 'epoch' }>;

/** Splits the tuner may optimise: the test split stays untouched for the final, honest estimate. */
export const TUNABLE_SPLITS = ['train', 'validation'] as const;

/** Whether a lower value of `metric` (`split.name` or `name`) is better: the network's own list decides. */
export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.has(metric.slice(metric.indexOf('.') + 1));
}

/** Splits `validation.accuracy` into its split and metric name, or throws naming what is wrong. */
export function parseMetricName(metric: string): { split: (typeof TUNABLE_SPLITS)[number]; name: string } {
  const dot = metric.indexOf('.');
  const split = metric.slice(0, dot);
  const name = metric.slice(dot + 1);
  if (dot <= 0 || name === '') {
    throw new Error(
      `Metric "${metric}" must be written split.metric, e.g. validation.accuracy or validation.loss`,
    );
  }
  if (!(TUNABLE_SPLITS as readonly string[]).includes(split)) {
    throw new Error(
      `Metric "${metric}" names split "${split}"; the tuner optimises train or validation metrics`,
    );
  }
  return { split: split as (typeof TUNABLE_SPLITS)[number], name };
}

/** What one trial achieved. */
export interface TrialOutcome {
  /** Scalar metrics of every split at the best epoch; null where 0/0 or not finite. */
  metrics: Record<string, number | null>;
  /** The optimised metric at the best epoch. */
  score: number;
  bestEpoch: number;
}

const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * The best epoch by `metric` (ties: the earlier epoch) and the metrics at it.
 * Throws when no epoch reported a finite value of the metric, saying which
 * metrics were reported instead.
 */
export function bestEpochOutcome(events: readonly EpochEvent[], metric: string, goal: Goal): TrialOutcome {
  const { split, name } = parseMetricName(metric);
  // A resumed epoch is reported again: the later report wins.
  const byEpoch = new Map<number, Map<string, EpochEvent['metrics']>>();
  for (const event of events) {
    const splits = byEpoch.get(event.epoch) ?? new Map<string, EpochEvent['metrics']>();
    splits.set(event.split, event.metrics);
    byEpoch.set(event.epoch, splits);
  }
  let best: { epoch: number; value: number } | undefined;
  for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
    const value = finite(byEpoch.get(epoch)?.get(split)?.[name]);
    if (value === null) continue;
    if (best === undefined || (goal === 'max' ? value > best.value : value < best.value))
      best = { epoch, value };
  }
  if (best === undefined) {
    const seen = new Set<string>();
    for (const event of events) {
      for (const [key, value] of Object.entries(event.metrics)) {
        if (!Array.isArray(value)) seen.add(`${event.split}.${key}`);
      }
    }
    throw new Error(
      `The training reported no value of ${metric}` +
        (seen.size > 0 ? ` (it reported ${[...seen].sort().join(', ')})` : ' (it reported no epoch)'),
    );
  }
  const metrics: Record<string, number | null> = {};
  const atBest = byEpoch.get(best.epoch) ?? new Map<string, EpochEvent['metrics']>();
  for (const [splitName, values] of [...atBest.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [key, value] of Object.entries(values)) {
      if (!Array.isArray(value)) metrics[`${splitName}.${key}`] = finite(value);
    }
  }
  return { metrics, score: best.value, bestEpoch: best.epoch };
}
