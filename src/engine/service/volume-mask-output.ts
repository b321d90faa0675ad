/**
 * Where `phi predict` writes a 3-D network's mask of one input volume: NIfTI in the input's
 * own grid (a NIfTI input's header, or a DICOM series' affine from its positions and
 * orientation) and, for a DICOM series, a DICOM SEG beside it whose frames reference the
 * series' slices (pacs/seg.ts): one segment per class but the background, named by the class
 * names, so that a PACS or viewer shows the mask on the series it was predicted on.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { niftiLike, niftiWithAffine } from '../data/nifti-writer';
import type { SeriesVolume } from '../data/series-input';
import { buildSeriesSeg, type Segment } from '../pacs/seg';

/** The segments of a mask of `classes` (0 the background) written in `maskValues`. */
export function segmentsOf(classes: string[], maskValues: number[]): Segment[] {
  return classes.slice(1).map((label, k) => ({ value: maskValues[k + 1] ?? k + 1, label }));
}

/** What was written: the files' names (in `output`), and why a series got no SEG. */
export interface VolumeMaskFiles {
  nifti: string;
  seg?: string;
  segProblem?: string;
}

/**
 * Writes `mask` (slices x rows x columns, in mask values) of the input `file` or `series` as
 * `<base>.nii.gz` and, for a series, `<base>.seg.dcm`.
 */
export function writeVolumeMask(
  mask: Uint8Array,
  size: { width: number; height: number; depth: number },
  input: { file: string; series?: SeriesVolume },
  output: string,
  base: string,
  seg: { classes: string[]; maskValues: number[]; description: string },
): VolumeMaskFiles {
  const nifti = `${base}.nii.gz`;
  const { series } = input;
  if (!series?.affine) {
    niftiLike(input.file, mask, join(output, nifti), { label: true });
    return { nifti };
  }
  niftiWithAffine(
    mask,
    { nx: size.width, ny: size.height, nz: size.depth },
    series.affine,
    join(output, nifti),
    { label: true },
  );
  try {
    const bytes = buildSeriesSeg(mask, series.files, segmentsOf(seg.classes, seg.maskValues), {
      description: seg.description,
      what: `series ${series.id}`,
    });
    const name = `${base}.seg.dcm`;
    writeFileSync(join(output, name), bytes);
    return { nifti, seg: name };
  } catch (error) {
    return { nifti, segProblem: (error as Error).message };
  }
}
