/** Display formatting shared by nodes, tables and charts. */
import type { ShapeSummary } from '../../engine/api';

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

/** `accuracyByClass` -> `Accuracy by class`; known acronyms kept upper-case. */
export function metricLabel(key: string): string {
  const known: Record<string, string> = {
    ppv: 'PPV',
    npv: 'NPV',
    miou: 'mIoU',
    iou: 'IoU',
    map: 'mAP',
    map50: 'mAP@0.5',
    map5095: 'mAP@[.5:.95]',
    mae: 'MAE',
    mse: 'MSE',
    rmse: 'RMSE',
    msle: 'MSLE',
    psnr: 'PSNR',
    // Volume distances are in millimetres of the source volumes (docs/metrics.md, "Volumes").
    hd95: 'HD95 mm',
    msd: 'Mean surface distance mm',
  };
  if (known[key.toLowerCase()]) return known[key.toLowerCase()];
  const macro = key.startsWith('macro') && key.length > 5;
  const rest = macro ? key.slice(5) : key;
  const words = rest.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const text = known[rest.toLowerCase()] ?? words.charAt(0).toUpperCase() + words.slice(1);
  return macro ? `${text} (macro)` : text;
}

/** The message of a thrown value, for a toast or a log line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
