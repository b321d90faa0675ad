/**
 * Per-epoch metrics of network nodes, mirrored from `epoch` events and
 * loaded from `getMetrics` history: what the Output tab charts and tabulates.
 */
import { action, makeObservable, observable, observableRef, observableShallow } from 'mobx';
import { macroKey, meanOfNonNull, type EpochMetrics, type MetricsHistory } from '../../engine/api';

/** One point: a metric's value at one epoch for one split. */
export interface MetricPoint {
  epoch: number;
  value: number | null;
}

/** Metrics of one network node. */
export class NodeMetrics {
  classes: string[] = [];
  /** `epochs[i]` holds epoch i's metrics per split, in epoch order. */
  rows: { epoch: number; train?: EpochMetrics; validation?: EpochMetrics }[] = [];
  /** The held-out test split, evaluated once after training. */
  test: NonNullable<MetricsHistory['test']> | null = null;
  /** Which training the numbers belong to (the full run's model, or a sample run's). */
  run: MetricsHistory['run'] = undefined;
  /** The node's trainings, newest first, and the one whose curves are shown (the run picker). */
  runs: NonNullable<MetricsHistory['runs']> = [];
  shown: string | undefined = undefined;

  constructor() {
    makeObservable(this, {
      classes: observableRef,
      rows: observableShallow,
      test: observableRef,
      run: observableRef,
      runs: observableRef,
      shown: observableRef,
      add: action,
      live: action,
      load: action,
      setTest: action,
      reset: action,
    });
  }

  /** Forgets everything: a network starts training afresh. */
  reset(): void {
    this.rows.splice(0, this.rows.length);
    this.test = null;
  }

  /** Records the test evaluation (`evaluation` event or stored history). */
  setTest(test: NonNullable<MetricsHistory['test']>): void {
    this.test = test;
  }

  /** Adds (or replaces) one epoch's metrics for one split. */
  add(epoch: number, split: 'train' | 'validation', metrics: EpochMetrics): void {
    const index = this.rows.findIndex((r) => r.epoch === epoch);
    if (index < 0) {
      const row = { epoch, [split]: metrics };
      // Events arrive in order; history loads may interleave: keep rows sorted.
      const at = this.rows.findIndex((r) => r.epoch > epoch);
      if (at < 0) this.rows.push(row);
      else this.rows.splice(at, 0, row);
    } else {
      this.rows[index] = { ...this.rows[index], [split]: metrics };
    }
  }

  /**
   * An `epoch` event: an epoch and split already shown means training started
   * afresh, so the old curves go; a resumed training continues its numbering
   * and is appended.
   */
  live(epoch: number, split: 'train' | 'validation', metrics: EpochMetrics): void {
    if (this.rows.some((r) => r.epoch >= epoch && r[split])) this.reset();
    this.add(epoch, split, metrics);
  }

  /**
   * Takes a stored history. A history that starts after epoch 1 is a resumed
   * training: the epochs before it that are shown stay.
   */
  load(history: MetricsHistory): void {
    this.classes = history.classes;
    this.test = history.test ?? null;
    this.run = history.run;
    this.runs = history.runs ?? [];
    this.shown = history.shown;
    const first = Math.min(...history.epochs.map((e) => e.epoch));
    const kept = history.epochs.length > 0 && first > 1 ? this.rows.filter((r) => r.epoch < first) : [];
    this.rows.splice(0, this.rows.length, ...kept);
    for (const entry of history.epochs) this.add(entry.epoch, entry.split, entry.metrics);
  }

  /** Metric keys seen so far, in first-seen order, `loss` first. */
  get keys(): string[] {
    const keys = new Set<string>();
    for (const row of this.rows)
      for (const m of [row.train, row.validation]) if (m) for (const k of Object.keys(m)) keys.add(k);
    return [...keys].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
  }

  /** True when `key` holds one value per class. */
  isPerClass(key: string): boolean {
    for (const row of this.rows)
      for (const m of [row.train, row.validation]) if (m && key in m) return Array.isArray(m[key]);
    return false;
  }

  /**
   * The series of one metric and split. For a per-class metric, `classIndex`
   * picks a class; without it the macro mean (`macroX`) is used when the
   * engine sent one.
   */
  series(key: string, split: 'train' | 'validation', classIndex?: number): MetricPoint[] {
    const points: MetricPoint[] = [];
    for (const row of this.rows) {
      const metrics = row[split];
      if (!metrics || !(key in metrics || macroKey(key) in metrics)) continue;
      const raw = metrics[key];
      let value: number | null;
      if (Array.isArray(raw)) {
        if (classIndex !== undefined) value = raw[classIndex] ?? null;
        else {
          const macro = metrics[macroKey(key)];
          value = typeof macro === 'number' ? macro : macro === null ? null : meanOfNonNull(raw);
        }
      } else value = raw ?? null;
      points.push({ epoch: row.epoch, value });
    }
    return points;
  }
}

/** Metrics of every network node, by node id. */
export class MetricsStore {
  readonly byNode = observable.map<string, NodeMetrics>();

  /** The node's metrics, created on first use. */
  of(node: string): NodeMetrics {
    let metrics = this.byNode.get(node);
    if (!metrics) {
      metrics = new NodeMetrics();
      this.byNode.set(node, metrics);
    }
    return metrics;
  }
}
