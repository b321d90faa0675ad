/**
 * docs/design.md section 7 metrics computed from files, for `phi metrics`: users
 * validate any model's outputs on their own test set. Formats:
 * classification CSV `id,label` vs `id,label` or `id,p0,p1,...`;
 * segmentation / transformation: folders of PNG (any depth) or `.npy`
 * matched by file name without extension; detection: COCO-style JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Task } from '../../api';
import { parseCsv } from '../../data/csv';
import { decodeImage } from '../../data/readers';
import { parseNpy } from '../io/npy';
import { ConfusionMatrix, PER_CLASS_METRICS, type ClassMetrics } from './confusion';
import { detectionMetrics, type DetectionImage } from './detection';
import { RegressionAccumulator } from './regression';

/** The JSON `phi metrics --json` prints. */
export interface MetricsReport {
  task: Task;
  classes: string[];
  overall: Record<string, number | null>;
  perClass: Record<string, (number | null)[]>;
  macro: Record<string, number | null>;
  /** `confusion[true][pred]` for classification and segmentation. */
  confusion?: number[][];
  /** Items compared, and names present in only one of the two inputs. */
  matched: number;
  unmatched: string[];
}

/** Options of {@link computeFileMetrics}. */
export interface FileMetricsOptions {
  task: Task;
  truth: string;
  pred: string;
  classes?: number;
  /** Data range R for PSNR (transformation); the targets' max - min when absent. */
  range?: number;
}

function fromClassMetrics(
  task: Task,
  classes: string[],
  m: ClassMetrics,
  confusion: number[][],
): Omit<MetricsReport, 'matched' | 'unmatched'> {
  const perClass: Record<string, (number | null)[]> = {};
  const macro: Record<string, number | null> = {};
  for (const name of PER_CLASS_METRICS) {
    if (name === 'iou' && task === 'classification') continue;
    perClass[name] = m.perClass[name];
    macro[name] = m.macro[name];
  }
  const overall: Record<string, number | null> = { accuracy: m.accuracy };
  if (task === 'segmentation') overall.miou = m.miou;
  return { task, classes, overall, perClass, macro, confusion };
}

/** Reads `id,label` or `id,p0,p1,...` rows; a first row starting with `id` is a header. */
function readLabels(path: string): Map<string, string | number[]> {
  const rows = parseCsv(readFileSync(path, 'utf8')).filter((r) => r.length && r.some((c) => c.trim() !== ''));
  if (rows.length && rows[0][0].trim().toLowerCase() === 'id') rows.shift();
  const out = new Map<string, string | number[]>();
  for (const r of rows) {
    if (r.length < 2) throw new Error(`${path}: row "${r.join(',')}" needs an id and a label`);
    out.set(r[0].trim(), r.length === 2 ? r[1].trim() : r.slice(1).map((v) => Number(v)));
  }
  return out;
}

function classification(o: FileMetricsOptions): MetricsReport {
  const truth = readLabels(o.truth);
  const pred = readLabels(o.pred);
  const truthLabels = [...truth.values()].map(String);
  const numeric = truthLabels.every((l) => /^\d+$/.test(l));
  const predLabels = [...pred.values()].filter((v): v is string => typeof v === 'string');
  let classes: string[];
  if (numeric) {
    const maxIdx = Math.max(
      ...truthLabels.map(Number),
      ...predLabels.filter((l) => /^\d+$/.test(l)).map(Number),
    );
    const n = o.classes ?? maxIdx + 1;
    classes = Array.from({ length: n }, (_, i) => String(i));
  } else classes = [...new Set([...truthLabels, ...predLabels])].sort();
  const cm = new ConfusionMatrix(classes.length);
  const unmatched: string[] = [];
  let matched = 0;
  for (const [id, t] of truth) {
    const p = pred.get(id);
    if (p === undefined) {
      unmatched.push(id);
      continue;
    }
    const ti = classes.indexOf(String(t));
    const pi = Array.isArray(p) ? p.indexOf(Math.max(...p)) : classes.indexOf(p);
    if (ti < 0 || pi < 0 || pi >= classes.length)
      throw new Error(`${id}: label outside the ${classes.length} classes`);
    cm.add(ti, pi);
    matched++;
  }
  for (const id of pred.keys()) if (!truth.has(id)) unmatched.push(id);
  return { ...fromClassMetrics('classification', classes, cm.metrics(), cm.counts), matched, unmatched };
}

/** Files of a folder keyed by name without extension (PNG/TIFF/.npy). */
function listArrays(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) {
    const ext = extname(f).toLowerCase();
    if (['.png', '.npy', '.tif', '.tiff'].includes(ext)) out.set(basename(f, extname(f)), join(dir, f));
  }
  if (!out.size) throw new Error(`${dir}: no .png or .npy files`);
  return out;
}

/** Reads a PNG (any depth) or .npy file's values (first channel of images). */
async function readArray(path: string): Promise<{ data: ArrayLike<number>; shape: number[] }> {
  if (path.toLowerCase().endsWith('.npy')) return parseNpy(new Uint8Array(readFileSync(path)));
  const img = await decodeImage(path);
  return { data: img.data, shape: img.shape };
}

/** Pairs files of two folders by name; returns pairs and the unmatched names. */
function pairs(truthDir: string, predDir: string): { both: [string, string, string][]; unmatched: string[] } {
  const t = listArrays(truthDir);
  const p = listArrays(predDir);
  const both: [string, string, string][] = [];
  const unmatched: string[] = [];
  for (const [name, file] of t) {
    const q = p.get(name);
    if (q) both.push([name, file, q]);
    else unmatched.push(name);
  }
  for (const name of p.keys()) if (!t.has(name)) unmatched.push(name);
  return { both, unmatched };
}

/** A mask's class values: the first channel of an RGB/RGBA image (masks saved as colour PNGs). */
async function readMask(path: string): Promise<ArrayLike<number>> {
  const a = await readArray(path);
  const c = a.shape.length === 3 && !path.toLowerCase().endsWith('.npy') ? a.shape[2] : 1;
  if (c === 1) return a.data;
  const out = new Float64Array(a.data.length / c);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i * c];
  return out;
}

async function segmentation(o: FileMetricsOptions): Promise<MetricsReport> {
  const { both, unmatched } = pairs(o.truth, o.pred);
  const loaded: [string, ArrayLike<number>, ArrayLike<number>][] = [];
  let maxLabel = 0;
  for (const [name, tf, pf] of both) {
    const t = { data: await readMask(tf) };
    const p = { data: await readMask(pf) };
    if (t.data.length !== p.data.length)
      throw new Error(`${name}: truth has ${t.data.length} values, prediction ${p.data.length}`);
    for (let i = 0; i < t.data.length; i++) maxLabel = Math.max(maxLabel, t.data[i], p.data[i]);
    loaded.push([name, t.data, p.data]);
  }
  const k = o.classes ?? Math.max(2, Math.round(maxLabel) + 1);
  const cm = new ConfusionMatrix(k);
  for (const [name, t, p] of loaded)
    for (let i = 0; i < t.length; i++) {
      const a = Math.round(t[i]);
      const b = Math.round(p[i]);
      if (a < 0 || a >= k || b < 0 || b >= k) throw new Error(`${name}: mask value outside 0..${k - 1}`);
      cm.add(a, b);
    }
  const classes = Array.from({ length: k }, (_, i) => String(i));
  return {
    ...fromClassMetrics('segmentation', classes, cm.metrics(), cm.counts),
    matched: loaded.length,
    unmatched,
  };
}

async function transformation(o: FileMetricsOptions): Promise<MetricsReport> {
  const { both, unmatched } = pairs(o.truth, o.pred);
  const acc = new RegressionAccumulator(o.range);
  for (const [name, tf, pf] of both) {
    const t = await readArray(tf);
    const p = await readArray(pf);
    if (t.data.length !== p.data.length)
      throw new Error(`${name}: truth has ${t.data.length} values, prediction ${p.data.length}`);
    acc.add(t.data, p.data);
  }
  const m = acc.metrics();
  return {
    task: 'transformation',
    classes: [],
    overall: { ...m },
    perClass: {},
    macro: {},
    matched: both.length,
    unmatched,
  };
}

interface CocoTruth {
  images: { id: number | string; file_name?: string }[];
  annotations: { image_id: number | string; category_id: number; bbox: [number, number, number, number] }[];
  categories?: { id: number; name: string }[];
}
interface CocoPred {
  image_id: number | string;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

function detection(o: FileMetricsOptions): MetricsReport {
  const truth = JSON.parse(readFileSync(o.truth, 'utf8')) as CocoTruth;
  const predJson = JSON.parse(readFileSync(o.pred, 'utf8')) as CocoPred[] | { annotations: CocoPred[] };
  const preds = Array.isArray(predJson) ? predJson : predJson.annotations;
  const catIds = (
    truth.categories?.map((c) => c.id) ?? [...new Set(truth.annotations.map((a) => a.category_id))]
  ).sort((a, b) => a - b);
  const classes = catIds.map((id) => truth.categories?.find((c) => c.id === id)?.name ?? String(id));
  const box = (b: [number, number, number, number], c: number) => ({
    xmin: b[0],
    ymin: b[1],
    xmax: b[0] + b[2],
    ymax: b[1] + b[3],
    classIndex: catIds.indexOf(c),
  });
  const images = new Map<string, DetectionImage>(
    truth.images.map((i) => [String(i.id), { truth: [], predictions: [] }]),
  );
  for (const a of truth.annotations) images.get(String(a.image_id))?.truth.push(box(a.bbox, a.category_id));
  const unmatched: string[] = [];
  for (const p of preds) {
    const img = images.get(String(p.image_id));
    if (!img) {
      unmatched.push(String(p.image_id));
      continue;
    }
    if (catIds.includes(p.category_id))
      img.predictions.push({ ...box(p.bbox, p.category_id), score: p.score });
  }
  const list = [...images.values()];
  const d = detectionMetrics(list, classes.length);
  // Accuracy by class: image-level presence (any box of the class at score >= 0.5) vs truth.
  const accuracyByClass = classes.map((_, c) => {
    const cm = new ConfusionMatrix(2);
    for (const img of list)
      cm.add(
        img.truth.some((b) => b.classIndex === c) ? 1 : 0,
        img.predictions.some((b) => b.classIndex === c && b.score >= 0.5) ? 1 : 0,
      );
    return cm.metrics().accuracy;
  });
  const defined = accuracyByClass.filter((v): v is number => v !== null);
  return {
    task: 'detection',
    classes,
    overall: { map50: d.map50, map: d.map },
    perClass: { ap50: d.ap50, accuracyByClass },
    macro: { accuracyByClass: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null },
    matched: list.length,
    unmatched: [...new Set(unmatched)],
  };
}

/** Computes the report for the task's file formats. */
export async function computeFileMetrics(o: FileMetricsOptions): Promise<MetricsReport> {
  switch (o.task) {
    case 'classification':
      return classification(o);
    case 'segmentation':
      return segmentation(o);
    case 'transformation':
      return transformation(o);
    case 'detection':
      return detection(o);
  }
}
