/**
 * Assembles DICOM slices into volumes: slices in one folder with the same
 * series, the same label and the same in-plane size become one 3-D item,
 * ordered by their position along the slice normal (ImagePositionPatient
 * projected on the cross product of ImageOrientationPatient's cosines), with
 * InstanceNumber as the fallback. The slice spacing is the median distance
 * between neighbouring positions; the voxel-to-RAS affine follows from the
 * first and last positions and the orientation.
 */
import type { IndexedEntry } from './indexer';
import { axisCodes } from './readers/nifti';
import type { SeriesInfo } from './readers/types';

/** One assembled volume. */
export interface AssembledVolume {
  id: string;
  members: IndexedEntry[];
  shape: number[];
  spacing?: number[];
  /** Rows of the voxel (column, row, slice) to RAS millimetre map, 3 x 4; absent without positions. */
  affine?: number[][];
}

/**
 * The first three rows of the voxel-to-RAS affine of a series: voxel (i, j, k) lies at
 * `P0 + i dc R + j dr C + k S` in DICOM's LPS patient axes (R and C ImageOrientationPatient's row and
 * column cosines, dr and dc PixelSpacing, S the step between the first and last positions over
 * the slices between them), with x and y negated for RAS, as dcm2niix and nibabel write it.
 */
export function seriesAffine(
  first: SeriesInfo,
  last: SeriesInfo,
  slices: number,
  pixelSpacing: number[],
): number[][] | undefined {
  const p0 = first.position;
  const p1 = last.position;
  const o = first.orientation;
  if (!p0 || !p1 || !o || o.length < 6 || p0.length < 3 || p1.length < 3) return undefined;
  const [dr, dc] = pixelSpacing;
  const step = [0, 1, 2].map((a) => (slices > 1 ? (p1[a] - p0[a]) / (slices - 1) : 0));
  const lps = [0, 1, 2].map((a) => [o[a] * dc, o[3 + a] * dr, step[a], p0[a]]);
  return lps.map((row, a) => (a < 2 ? row.map((v) => -v) : row));
}

function normalOf(orientation: number[] | undefined): number[] {
  if (!orientation || orientation.length < 6) return [0, 0, 1];
  const [rx, ry, rz, cx, cy, cz] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The meta a series volume carries about its place in the patient: its affine as a NIfTI
 * reader gives it (4 x 4) and its axis codes, so that the View tab and Reorient read it alike.
 */
export function seriesPlacement(affine: number[][] | undefined): Record<string, unknown> {
  if (!affine) return {};
  const full = [...affine.slice(0, 3), [0, 0, 0, 1]];
  return { affine: full, orientation: axisCodes(full) };
}

/** Splits entries into assembled volumes and entries that stay as they are. */
export function assembleSeries(entries: IndexedEntry[]): {
  volumes: AssembledVolume[];
  singles: IndexedEntry[];
} {
  const groups = new Map<string, IndexedEntry[]>();
  const singles: IndexedEntry[] = [];
  for (const e of entries) {
    const h = e.header;
    const label = e.entry.label;
    const labelKey = label?.kind === 'class' ? `c${label.index}` : label ? null : '';
    if (h.format !== 'dicom' || !h.series || h.frames !== 1 || labelKey === null) {
      singles.push(e);
      continue;
    }
    const rel = e.entry.file.rel;
    const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const key = `${folder}\0${h.series.key}\0${labelKey}\0${h.shape.join('x')}\0${h.dtype}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const volumes: AssembledVolume[] = [];
  const perFolder = new Map<string, number>();
  for (const key of groups.keys()) {
    const folder = key.split('\0')[0];
    perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
  }
  for (const [key, members] of groups) {
    if (members.length < 2) {
      singles.push(...members);
      continue;
    }
    const [folder, seriesKey] = key.split('\0');
    const normal = normalOf(members[0].header.series?.orientation);
    const positionOf = (m: IndexedEntry): number | undefined => {
      const p = m.header.series?.position;
      return p && p.length >= 3 ? p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2] : undefined;
    };
    const havePositions = members.every((m) => positionOf(m) !== undefined);
    members.sort((a, b) =>
      havePositions
        ? (positionOf(a) as number) - (positionOf(b) as number)
        : (a.header.series?.instanceNumber ?? 0) - (b.header.series?.instanceNumber ?? 0) ||
          (a.entry.file.rel < b.entry.file.rel ? -1 : 1),
    );
    const first = members[0].header;
    let spacing: number[] | undefined;
    if (havePositions && first.spacing) {
      const gaps = members
        .slice(1)
        .map((m, i) => Math.abs((positionOf(m) as number) - (positionOf(members[i]) as number)));
      spacing = [median(gaps), ...first.spacing.slice(-2)];
    }
    const base = folder || '.';
    const id = (perFolder.get(folder) ?? 0) > 1 ? `${base}#${seriesKey.slice(0, 8)}` : base;
    const last = members[members.length - 1].header;
    const affine =
      havePositions && first.series && last.series && first.spacing
        ? seriesAffine(first.series, last.series, members.length, first.spacing.slice(-2))
        : undefined;
    volumes.push({
      id,
      members,
      shape: [members.length, ...first.shape],
      ...(spacing ? { spacing } : {}),
      ...(affine ? { affine } : {}),
    });
  }
  return { volumes, singles };
}
