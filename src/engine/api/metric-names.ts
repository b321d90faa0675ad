/**
 * How metrics are named and averaged wherever they are shown: the engine
 * writes them under these names, and front ends read them by the same rule
 * (docs/design.md section 7).
 */

/** `sensitivity` -> `macroSensitivity`: the key of a per-class metric's macro mean. */
export function macroKey(name: string): string {
  return `macro${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** Mean of the values that exist: a class absent from the truth has none and does not count; null when none exist. */
export function meanOfNonNull(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length ? defined.reduce((s, v) => s + v, 0) / defined.length : null;
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
