/**
 * The test split's transformation metrics per volume on the network's grid, and their mean over
 * the volumes, as lines of the run's log: a split-wide figure pools every voxel, so one volume that went wrong hides in
 * it; each volume's own figures (PSNR with its own target's range) show it.
 */
import type { RegressionMetrics } from '../metrics/regression';

const NAMES: [keyof RegressionMetrics, string][] = [
  ['mae', 'MAE'],
  ['mse', 'MSE'],
  ['rmse', 'RMSE'],
  ['psnr', 'PSNR (dB)'],
];

function figures(m: Partial<Record<keyof RegressionMetrics, number | null>>): string {
  return NAMES.map(
    ([key, label]) => `${label} ${m[key] == null ? 'n/a' : (m[key] as number).toPrecision(4)}`,
  ).join(', ');
}

/** One line per volume, then the mean of each metric over the volumes where it is defined. */
export function volumeMetricLines(items: { id: string; metrics: RegressionMetrics }[]): string[] {
  const mean: Partial<Record<keyof RegressionMetrics, number | null>> = {};
  for (const [key] of NAMES) {
    const values = items.map((i) => i.metrics[key]).filter((v): v is number => v !== null);
    mean[key] = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  }
  // Measured by the trainer on the network's grid; the stored per-volume figures are the source geometry's.
  return [
    ...items.map((i) => `Test volume ${i.id}: ${figures(i.metrics)} (on the network's grid)`),
    `Test split, mean over its ${items.length} volume(s): ${figures(mean)} (on the network's grid)`,
  ];
}
