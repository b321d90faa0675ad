/**
 * Assembles DICOM slices into volumes: slices in one folder with the same
 * series, the same label and the same in-plane size become one 3-D item,
 * ordered by their position along the slice normal (ImagePositionPatient
 * projected on the cross product of ImageOrientationPatient's cosines), with
 * InstanceNumber as the fallback. The slice spacing is the median distance
 * between neighbouring positions.
 */
import type { IndexedEntry } from './indexer';

/** One assembled volume. */
export interface AssembledVolume {
  id: string;
  members: IndexedEntry[];
  shape: number[];
  spacing?: number[];
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
    volumes.push({ id, members, shape: [members.length, ...first.shape], ...(spacing ? { spacing } : {}) });
  }
  return { volumes, singles };
}
