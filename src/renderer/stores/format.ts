/** Display formatting shared by nodes, tables and charts. */
import type { ShapeSummary } from '../../engine/api';

export { metricLabel } from '../../engine/api';

/** `(None, 256, 256, 1)`: Keras' shape notation, `None` where sizes differ. */
export function formatShape(shape: readonly (number | null)[] | ShapeSummary | undefined): string {
  if (!shape) return '';
  return `(${shape.map((s) => (s === null ? 'None' : String(s))).join(', ')})`;
}

/** A metric value: `n/a` where it is undefined (0/0, a class absent from the split), four decimals otherwise. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toFixed(4);
}

/** `Grayscale` / `RGB` / `Mixed` as the Files tab shows colour modes. */
export function formatColorMode(mode: string | undefined): string {
  if (mode === 'rgb') return 'RGB';
  if (mode === 'grayscale') return 'Grayscale';
  if (mode === 'mixed') return 'Mixed';
  return mode ?? '';
}

/** The message of a thrown value, for a toast or a log line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
