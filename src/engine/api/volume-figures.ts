/**
 * The test split's figures of a 3-D network per volume, in the source geometry (docs/metrics.md,
 * "Per-volume figures"): stored with the test evaluation and listed, worst first, by the Output
 * tab, the HTML report and `phi run`. A split-wide figure hides one volume that went wrong; the
 * rows show it.
 */
import { z } from 'zod';

/** One test volume's figures: transformation `mae`, `mse`, `rmse`, `psnr`; segmentation `macroDice`, `dice:K`, `hd95:K`. */
export const VolumeFigureRowSchema = z.object({
  id: z.string(),
  figures: z.record(z.string(), z.number().nullable()),
});
/** See {@link VolumeFigureRowSchema}. */
export type VolumeFigureRow = z.infer<typeof VolumeFigureRowSchema>;

/** A column of the per-volume table: which figure, its label, and which way is worse. */
export interface VolumeFigureColumn {
  key: string;
  label: string;
  higherIsBetter: boolean;
}

/** The key of a segmentation figure of foreground class `k` in a row. */
export function volumeClassKey(metric: 'dice' | 'hd95', k: number): string {
  return `${metric}:${k}`;
}

/**
 * The columns the rows hold: MAE, RMSE and PSNR of a transformation; the mean Dice over the
 * foreground classes, then each foreground class's Dice and HD95, of a segmentation.
 */
export function volumeFigureColumns(
  rows: readonly VolumeFigureRow[],
  classes: readonly string[],
): VolumeFigureColumn[] {
  const has = (key: string): boolean => rows.some((r) => key in r.figures);
  const columns: VolumeFigureColumn[] = [
    { key: 'mae', label: 'MAE', higherIsBetter: false },
    { key: 'rmse', label: 'RMSE', higherIsBetter: false },
    { key: 'psnr', label: 'PSNR dB', higherIsBetter: true },
    { key: 'macroDice', label: 'Dice (mean over foreground classes)', higherIsBetter: true },
    ...classes.slice(1).flatMap((name, i) => [
      { key: volumeClassKey('dice', i + 1), label: `Dice ${name}`, higherIsBetter: true },
      { key: volumeClassKey('hd95', i + 1), label: `HD95 mm ${name}`, higherIsBetter: false },
    ]),
  ];
  return columns.filter((c) => has(c.key));
}

/** The rows ordered by `column`, worst first (or best first); a volume where it is undefined comes last. */
export function sortVolumeRows(
  rows: readonly VolumeFigureRow[],
  column: VolumeFigureColumn,
  worstFirst = true,
): VolumeFigureRow[] {
  const sign = column.higherIsBetter === worstFirst ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a.figures[column.key] ?? null;
    const y = b.figures[column.key] ?? null;
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y) || a.id.localeCompare(b.id);
  });
}

/** A figure of the table: four significant digits, "—" where undefined. */
export function formatVolumeFigure(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toPrecision(4);
}

/**
 * The heading every front end puts above the rows: the split, the run, the number of volumes and
 * what they were measured on.
 */
export function volumeFiguresHeading(
  rows: readonly VolumeFigureRow[],
  run: string | undefined,
  scope = 'Test split',
): string {
  return `${scope}${run ? ` of run ${run}` : ''} · ${rows.length} volume${rows.length === 1 ? '' : 's'} · each in its source geometry`;
}

/** The rows as text lines, worst first by the first column: what `phi run` prints. */
export function volumeFigureLines(
  rows: readonly VolumeFigureRow[],
  classes: readonly string[],
  run: string | undefined,
  scope?: string,
): string[] {
  const columns = volumeFigureColumns(rows, classes);
  if (!columns.length) return [];
  return [
    `${volumeFiguresHeading(rows, run, scope)}, worst ${columns[0].label} first:`,
    ...sortVolumeRows(rows, columns[0]).map(
      (row) =>
        `  ${row.id}: ${columns.map((c) => `${c.label} ${formatVolumeFigure(row.figures[c.key])}`).join(', ')}`,
    ),
  ];
}
