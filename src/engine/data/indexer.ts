/**
 * Turns a layout's entries into a dataset index by reading headers only:
 * each image (and mask/target) header is opened, unreadable files are
 * skipped with their reason, masks whose size differs from their image are
 * skipped, multi-frame files become volumes or slices, DICOM slices of one
 * series assemble into a volume, and the split is assigned.
 */
import type { ColorMode, Split } from '../api';
import type { DatasetItem } from '../graph/node-type';
import type { ItemRef } from './item-ref';
import type { LayoutEntry, LayoutResult } from './layouts/types';
import { patientGroupOf } from './patient';
import { mapLimit } from './pool';
import { messageOf, openImage } from './readers';
import type { ImageHeader } from './readers/types';
import { assembleSeries } from './series';
import { assignSplits, type SplitShares, type SplitUnit } from './split';

/** Header reads in flight at once: enough to hide disk latency, few enough to keep memory flat. */
const HEADER_CONCURRENCY = 8;

/** Options of the indexer that come from the node's params. */
export interface IndexOptions {
  volumes: 'volume' | 'slices';
  shares: SplitShares;
  splitByPatient: boolean;
  seed: number;
}

/** An entry whose headers were read. */
export interface IndexedEntry {
  entry: LayoutEntry;
  header: ImageHeader;
  labelHeader?: ImageHeader;
}

/** What the indexer hands back to the dataset node. */
export interface IndexResult {
  items: DatasetItem[];
  skipped: { file: string; reason: string }[];
  colorModes: Set<ColorMode>;
  dims: Set<2 | 3>;
  formats: Set<string>;
  modalities: Set<string>;
  /** DICOM Photometric Interpretation of each item, counted. */
  photometric: Map<string, number>;
}

function spatial(shape: number[]): number[] {
  return shape.slice(0, -1);
}

function sameSize(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Reads headers, assembles and splits. */
export async function indexLayout(layout: LayoutResult, options: IndexOptions): Promise<IndexResult> {
  const skipped = [...layout.skipped];
  const opened = await mapLimit(
    layout.entries,
    HEADER_CONCURRENCY,
    async (entry): Promise<IndexedEntry | null> => {
      let header: ImageHeader;
      try {
        header = (await openImage(entry.file.abs)).header;
      } catch (error) {
        skipped.push({ file: entry.file.rel, reason: messageOf(error) });
        return null;
      }
      if (entry.channels) {
        // One file per channel (nnU-Net): every file must hold the same grid; the item has all their channels.
        let channels = header.shape[header.shape.length - 1];
        for (const file of entry.channels) {
          let other: ImageHeader;
          try {
            other = (await openImage(file.abs)).header;
          } catch (error) {
            skipped.push({
              file: file.rel,
              reason: `channel of ${entry.file.rel} is unreadable: ${messageOf(error)}`,
            });
            return null;
          }
          if (!sameSize(spatial(other.shape), spatial(header.shape))) {
            skipped.push({
              file: file.rel,
              reason: `channel size ${spatial(other.shape).join('x')} differs from ${entry.file.rel} (${spatial(header.shape).join('x')})`,
            });
            return null;
          }
          channels += other.shape[other.shape.length - 1];
        }
        header = { ...header, shape: [...spatial(header.shape), channels], colorMode: 'grayscale' };
      }
      const label = entry.label;
      if (label?.kind === 'boxes') {
        const [h, w] = spatial(header.shape).slice(-2);
        const inside = label.boxes.filter((b) => b.xmin >= 0 && b.ymin >= 0 && b.xmax <= w && b.ymax <= h);
        if (inside.length < label.boxes.length) {
          skipped.push({
            file: entry.file.rel,
            reason: `${label.boxes.length - inside.length} box(es) lie outside the ${w}x${h} image and were left out`,
          });
          return { entry: { ...entry, label: { kind: 'boxes', boxes: inside } }, header };
        }
      }
      if (label && (label.kind === 'mask' || label.kind === 'target')) {
        const what = label.kind === 'mask' ? 'mask' : 'target image';
        let labelHeader: ImageHeader;
        try {
          labelHeader = (await openImage(label.file.abs)).header;
        } catch (error) {
          skipped.push({
            file: label.file.rel,
            reason: `${what} of ${entry.file.rel} is unreadable: ${messageOf(error)}`,
          });
          return null;
        }
        if (!sameSize(spatial(labelHeader.shape), spatial(header.shape))) {
          skipped.push({
            file: label.file.rel,
            reason: `${what} size ${spatial(labelHeader.shape).join('x')} differs from its image ${entry.file.rel} (${spatial(header.shape).join('x')})`,
          });
          return null;
        }
        return { entry, header, labelHeader };
      }
      return { entry, header };
    },
  );
  const ok = opened.filter((e): e is IndexedEntry => e !== null);
  // Sorting keeps skipped lines in walk order whatever order the parallel reads finished in.
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  interface Draft {
    id: string;
    ref: ItemRef;
    stratum: number;
    display?: string;
    classIndex?: number;
    patientKey?: string;
    /** Slices of one scan (frames of a file, files of a series) share this: they are split together. */
    scanKey?: string;
    preset?: Split;
  }
  const drafts: Draft[] = [];
  const colorModes = new Set<ColorMode>();
  const dims = new Set<2 | 3>();
  const formats = new Set<string>();
  const modalities = new Set<string>();
  const photometric = new Map<string, number>();
  const countPhotometric = (header: ImageHeader, items: number): void => {
    const value = header.meta.PhotometricInterpretation;
    if (typeof value === 'string' && value) photometric.set(value, (photometric.get(value) ?? 0) + items);
  };

  const groups = options.volumes === 'volume' ? assembleSeries(ok) : { volumes: [], singles: ok };
  for (const volume of groups.volumes) {
    const first = volume.members[0];
    drafts.push({
      id: volume.id,
      ref: {
        format: first.header.format,
        files: volume.members.map((m) => m.entry.file.rel),
        shape: volume.shape,
        ...(volume.spacing ? { spacing: volume.spacing } : {}),
        ...(volume.affine ? { affine: volume.affine } : {}),
        ...(first.entry.label?.kind === 'class' ? { label: first.entry.label } : {}),
      },
      stratum: first.entry.stratum,
      display: first.entry.display,
      ...(first.entry.split ? { preset: first.entry.split } : {}),
      ...(first.entry.label?.kind === 'class' ? { classIndex: first.entry.label.index } : {}),
      patientKey: first.header.patientKey,
    });
    colorModes.add(first.header.colorMode);
    dims.add(3);
    formats.add(first.header.format);
    modalities.add(first.header.modality);
    countPhotometric(first.header, 1);
  }
  for (const { entry, header } of groups.singles) {
    const label = entry.label;
    const refLabel: ItemRef['label'] =
      label?.kind === 'mask'
        ? { kind: 'mask', file: label.file.rel }
        : label?.kind === 'target'
          ? { kind: 'target', file: label.file.rel }
          : label;
    const channelFiles = entry.channels ? { channelFiles: entry.channels.map((f) => f.rel) } : {};
    const common = {
      stratum: entry.stratum,
      display: entry.display,
      ...(entry.split ? { preset: entry.split } : {}),
      ...(label?.kind === 'class' ? { classIndex: label.index } : {}),
      patientKey: header.patientKey,
      // In slices mode, neighbouring slices of one scan in two splits would leak: keep them together.
      ...(options.volumes === 'slices'
        ? { scanKey: header.series ? `series:${header.series.key}` : `file:${entry.file.rel}` }
        : {}),
    };
    colorModes.add(header.colorMode);
    formats.add(header.format);
    modalities.add(header.modality);
    const perFrame = header.frames > 1 && options.volumes === 'slices';
    countPhotometric(header, perFrame ? header.frames : 1);
    if (perFrame) {
      dims.add(2);
      for (let frame = 0; frame < header.frames; frame++) {
        const frameLabel: ItemRef['label'] =
          refLabel && (refLabel.kind === 'mask' || refLabel.kind === 'target')
            ? { ...refLabel, frame }
            : refLabel;
        drafts.push({
          id: `${entry.file.rel}#${frame}`,
          ref: {
            format: header.format,
            files: [entry.file.rel],
            ...channelFiles,
            frame,
            shape: header.shape.slice(1),
            ...(header.spacing ? { spacing: header.spacing.slice(-2) } : {}),
            ...(frameLabel ? { label: frameLabel } : {}),
          },
          ...common,
        });
      }
    } else {
      dims.add(header.shape.length === 4 ? 3 : 2);
      drafts.push({
        id: entry.file.rel,
        ref: {
          format: header.format,
          files: [entry.file.rel],
          ...channelFiles,
          shape: header.shape,
          ...(header.spacing ? { spacing: header.spacing } : {}),
          ...(refLabel ? { label: refLabel } : {}),
        },
        ...common,
      });
    }
  }
  drafts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // Items whose folder says their split keep it; the rest are split by the seeded shares.
  const free = drafts.filter((d) => !d.preset);
  const freeSplits = splitDrafts(free, options);
  const computed = new Map(free.map((d, i) => [d, freeSplits[i]]));
  const splits = drafts.map((d) => d.preset ?? (computed.get(d) as Split));
  const items: DatasetItem[] = drafts.map((d, i) => ({
    id: d.id,
    split: splits[i],
    ...(d.classIndex !== undefined ? { classIndex: d.classIndex } : {}),
    ...(d.display !== undefined ? { label: d.display } : {}),
    ref: d.patientKey ? { ...d.ref, patientGroup: patientGroupOf(d.patientKey) } : d.ref,
  }));
  return { items, skipped, colorModes, dims, formats, modalities, photometric };
}

/**
 * Splits items, keeping each patient's items together (when asked and when the files say who
 * the patient is) and always the slices of one scan.
 */
function splitDrafts(
  drafts: { id: string; stratum: number; patientKey?: string; scanKey?: string }[],
  options: IndexOptions,
): Split[] {
  const unitOf: number[] = [];
  const units: (SplitUnit & { strata: Map<number, number> })[] = [];
  const byGroup = new Map<string, number>();
  drafts.forEach((d, i) => {
    const group =
      options.splitByPatient && d.patientKey
        ? `patient:${d.patientKey}`
        : d.scanKey
          ? `scan:${d.scanKey}`
          : undefined;
    if (group) {
      let u = byGroup.get(group);
      if (u === undefined) {
        u = units.length;
        byGroup.set(group, u);
        units.push({ key: group, stratum: 0, size: 0, strata: new Map() });
      }
      const unit = units[u];
      unit.size += 1;
      unit.strata.set(d.stratum, (unit.strata.get(d.stratum) ?? 0) + 1);
      unitOf[i] = u;
    } else {
      unitOf[i] = units.length;
      units.push({ key: `item:${d.id}`, stratum: d.stratum, size: 1, strata: new Map([[d.stratum, 1]]) });
    }
  });
  for (const unit of units) {
    // A patient is stratified by its most frequent class (ties: the lower class index).
    let best = 0;
    let bestCount = -1;
    for (const [stratum, count] of [...unit.strata].sort((a, b) => a[0] - b[0])) {
      if (count > bestCount) {
        best = stratum;
        bestCount = count;
      }
    }
    unit.stratum = best;
  }
  const unitSplits = assignSplits(units, options.shares, options.seed);
  return drafts.map((_, i) => unitSplits[unitOf[i]]);
}
