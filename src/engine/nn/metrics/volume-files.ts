/**
 * `phi metrics --task segmentation` on NIfTI volumes (`.nii`, `.nii.gz`): truth and
 * predicted label volumes matched by file name, each volume measured on its own with the
 * truth's voxel spacing (volume.ts), then the mean over volumes per class (docs/metrics.md,
 * "Volumes"). Mask values map to classes by the same rule as 2-D masks, applied to the truth
 * and to the predictions separately.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { meanOfNonNull } from '../../api/metric-names';
import { decodeImage } from '../../data/readers';
import { maskClassesFromValues, type MaskClasses } from '../../data/layouts/mask-classes';
import type { FileMetricsOptions, MetricsReport } from './files';
import { meanOverVolumes, VOLUME_METRICS, volumeMetrics, type VolumeResult } from './volume';

const NIFTI = /\.nii(\.gz)?$/i;

/** True when a folder holds NIfTI files. */
export function holdsVolumes(dir: string): boolean {
  return readdirSync(dir).some((f) => NIFTI.test(f));
}

/** NIfTI files of a folder keyed by name without `.nii` / `.nii.gz`. */
function listVolumes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) if (NIFTI.test(f)) out.set(f.replace(NIFTI, ''), join(dir, f));
  if (!out.size) throw new Error(`${dir}: no .nii or .nii.gz files`);
  return out;
}

/** One label volume: rounded values, spatial shape and spacing (mm, same axis order). */
async function readVolume(
  path: string,
): Promise<{ values: Int32Array; shape: number[]; spacing: number[] | undefined }> {
  const image = await decodeImage(path);
  const channels = image.shape[image.shape.length - 1];
  if (channels !== 1) throw new Error(`${path}: a label volume has one channel, this one has ${channels}`);
  return {
    values: Int32Array.from(image.data, Math.round),
    shape: image.shape.slice(0, -1),
    spacing: image.spacing,
  };
}

/** Mask values to class indices; throws when one is a class past `k - 1`. */
function toClasses(name: string, values: Int32Array, map: MaskClasses, k: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = map.map.get(values[i]) as number;
    if (c >= k) throw new Error(`${name}: mask value ${values[i]} is a class past ${k - 1}`);
    out[i] = c;
  }
  return out;
}

/**
 * The report of NIfTI label volumes: per volume and foreground class Dice, IoU, HD95 and mean
 * surface distance, their means over volumes (`perClass`) and over classes (`macro`). Volumes are
 * read twice (once for the class values, once to measure) so that one pair at a time is in memory.
 */
export async function volumeSegmentation(o: FileMetricsOptions): Promise<MetricsReport> {
  const truthFiles = listVolumes(o.truth);
  const predFiles = listVolumes(o.pred);
  const both = [...truthFiles.keys()].filter((n) => predFiles.has(n));
  const unmatched = [
    ...[...truthFiles.keys()].filter((n) => !predFiles.has(n)),
    ...[...predFiles.keys()].filter((n) => !truthFiles.has(n)),
  ];
  if (!both.length) throw new Error(`none of the volumes of ${o.pred} has a namesake in ${o.truth}`);
  const truthValues = new Set<number>();
  const predValues = new Set<number>();
  for (const name of both) {
    (await readVolume(truthFiles.get(name) as string)).values.forEach((v) => truthValues.add(v));
    (await readVolume(predFiles.get(name) as string)).values.forEach((v) => predValues.add(v));
  }
  const truthMap = maskClassesFromValues(truthValues);
  const predMap = maskClassesFromValues(predValues);
  const k = o.classes ?? Math.max(truthMap.classes.length, predMap.classes.length);
  const names = Array.from(
    { length: k },
    (_, i) => truthMap.classes[i] ?? predMap.classes[i] ?? `class ${i}`,
  );
  const volumes: VolumeResult[] = [];
  for (const name of both) {
    const t = await readVolume(truthFiles.get(name) as string);
    const p = await readVolume(predFiles.get(name) as string);
    if (t.shape.join('x') !== p.shape.join('x'))
      throw new Error(`${name}: truth is ${t.shape.join('x')} voxels, prediction ${p.shape.join('x')}`);
    if (!t.spacing) throw new Error(`${name}: the truth volume gives no voxel spacing (pixdim)`);
    volumes.push(
      volumeMetrics(
        name,
        toClasses(name, t.values, truthMap, k),
        toClasses(name, p.values, predMap, k),
        t.shape,
        t.spacing,
        k,
      ),
    );
  }
  const perClass = meanOverVolumes(volumes);
  const macro: Record<string, number | null> = {};
  for (const m of VOLUME_METRICS) macro[m] = meanOfNonNull(perClass[m]);
  return {
    task: 'segmentation',
    classes: names.slice(1),
    overall: {},
    perClass,
    macro,
    volumes,
    settings: {
      volumes: volumes.length,
      units: 'mm',
      spacing: "each truth volume's",
      excluded: `${names[0]} (class 0)`,
      surface: 'voxels with a face neighbour outside the structure (6-connectivity)',
      hd95: 'larger of the two directed 95th percentiles',
      mean: 'over the volumes where the value is defined',
      distancesUndefined: volumes.reduce(
        (n, v) => n + v.distanceUndefined.filter((r) => r !== null).length,
        0,
      ),
    },
    matched: volumes.length,
    unmatched,
  };
}
