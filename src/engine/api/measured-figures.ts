/**
 * The figures of a segmentation or transformation evaluation (test split or external folder) as
 * labelled rows, and what an external one was measured on, in words: what `phi evaluate`, the
 * report and the Output tab print alike.
 */
import type { EpochMetrics } from './events';
import type { MeasuredEvaluationRecord } from './evaluation';
import { metricLabel } from './metric-names';

/** One figure: `Dice, foreground` for a class's, `Dice (macro)` for an overall one. */
export interface MeasuredFigureRow {
  label: string;
  value: number | null;
}

/** Each figure of `metrics`, per-class arrays as one row per class named by `classes`. */
export function measuredFigureRows(metrics: EpochMetrics, classes: readonly string[]): MeasuredFigureRow[] {
  return Object.entries(metrics).flatMap(([key, value]) =>
    Array.isArray(value)
      ? value.map((v, c) => ({ label: `${metricLabel(key)}, ${classes[c] ?? String(c)}`, value: v }))
      : [{ label: metricLabel(key), value }],
  );
}

/** Folder, item count, run, model stamp and geometry of an external measurement, in one line. */
export function measuredScope(record: MeasuredEvaluationRecord): string {
  const unit = record.volumes?.length ? 'volume' : 'item';
  return (
    `${record.items} ${unit}${record.items === 1 ? '' : 's'} of ${record.dataset}, run ${record.runId}` +
    `${record.modelStamp ? `, model ${record.modelStamp.slice(0, 12)}` : ''}; ` +
    `${record.task} figures in the source geometry (each prediction mapped back to its item's own grid and compared with the folder's ${record.task === 'segmentation' ? 'masks' : 'targets'})`
  );
}
