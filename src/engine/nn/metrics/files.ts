/**
 * docs/design.md section 7 metrics computed from files, for `phi metrics`: users
 * validate any model's outputs on their own test set; classification adds the study
 * metrics of docs/metrics.md. Formats:
 * classification CSV `id,label` (class names or indices) vs `id,label`, `id,p0,p1,...`
 * or `id,label,p_<class>,...` as `phi predict` writes it;
 * segmentation / transformation: folders of PNG (any depth) or `.npy`
 * matched by file name without extension; segmentation also folders of NIfTI label
 * volumes (volume-files.ts); detection: COCO-style JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Task } from '../../api';
import { parseCsv } from '../../data/csv';
import { decodeImage } from '../../data/readers';
import { maskClassesFromValues } from '../../data/layouts/mask-classes';
import { parseNpy } from '../io/npy';
import { DEFAULT_RESAMPLES, quantileSorted } from './bootstrap';
import { DEFAULT_BINS, type ReliabilityBin } from './calibration';
import { ConfusionMatrix, PER_CLASS_METRICS, type ClassMetrics } from './confusion';
import {
  DEFAULT_SCORE_THRESHOLD,
  detectionMetrics,
  presenceAccuracy,
  type DetectionImage,
} from './detection';
import type { OperatingRule } from './operating-point';
import { aggregateByPatient } from './patient';
import { RegressionAccumulator } from './regression';
import { studyMetrics, type ClassificationSet, type ClassOperatingPoint, type ReportValue } from './study';
import { subgroupStudies, type SubgroupResult } from './subgroups';
import { holdsVolumes, volumeSegmentation } from './volume-files';
import type { VolumeResult } from './volume';

/** The JSON `phi metrics --json` prints. */
export interface MetricsReport {
  task: Task;
  classes: string[];
  /** Values, and for classification their intervals under `<metric>CI95` keys. */
  overall: Record<string, ReportValue>;
  perClass: Record<string, ReportValue[]>;
  macro: Record<string, ReportValue>;
  /** `confusion[true][pred]` for classification and segmentation. */
  confusion?: number[][];
  /** Classification with probabilities: the bins of the overall and per-class ECE. */
  reliability?: { overall: ReliabilityBin[]; perClass: ReliabilityBin[][] };
  operatingPoint?: {
    rule: string;
    /** The predictions file the threshold was chosen on. */
    chosenOn: string;
    classes: (ClassOperatingPoint & { class: string })[];
  };
  /** Classification with `subgroups`: each attribute's groups with their counts and metrics. */
  subgroups?: {
    attribute: string;
    groups: (Pick<SubgroupResult, 'value' | 'items' | 'perClassItems'> &
      Pick<MetricsReport, 'overall' | 'perClass' | 'macro'>)[];
  }[];
  /**
   * Segmentation of 2-D masks: per class, the distribution of each image's own Dice over
   * the images where it is defined (`n`; an image without the class in truth or prediction has none).
   */
  perCaseDice?: ({ class: string } & Distribution)[];
  /** Segmentation of NIfTI volumes: each volume's values per foreground class. */
  volumes?: VolumeResult[];
  /** What the figures were computed with (item count, bins, resamples, seed, PSNR data range). */
  settings?: Record<string, number | string>;
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
  /** Classification: equal-width ECE bins, bootstrap resamples (0: no intervals) and seed. */
  bins?: number;
  bootstrap?: number;
  seed?: number;
  /** Classification: the threshold rule, chosen on `validation` predictions when given. */
  operatingPoint?: { rule: OperatingRule; validation?: string };
  /** Classification: one prediction per patient (`id,patient` CSV), by the mean or max of its items. */
  patients?: { file: string; how: 'mean' | 'max' };
  /** Detection: the score a box needs to count in accuracy by class ({@link DEFAULT_SCORE_THRESHOLD} when absent). */
  scoreThreshold?: number;
  /** Classification: metrics per subgroup, from a CSV of `id` and attribute columns (`by`: the columns; all when absent). */
  subgroups?: { file: string; by?: string[] };
}

/** Summary of values: count, mean, quartiles (numpy's linear rule), min and max; null values without data. */
export interface Distribution {
  n: number;
  mean: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  min: number | null;
  max: number | null;
}

function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (!n) return { n, mean: null, median: null, q1: null, q3: null, min: null, max: null };
  return {
    n,
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    median: quantileSorted(sorted, 0.5),
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    min: sorted[0],
    max: sorted[n - 1],
  };
}

/** The segmentation report: section 7's metrics of the pixel confusion matrix. */
function segmentationReport(
  classes: string[],
  m: ClassMetrics,
  confusion: number[][],
): Omit<MetricsReport, 'matched' | 'unmatched'> {
  const perClass: Record<string, (number | null)[]> = {};
  const macro: Record<string, number | null> = {};
  for (const name of PER_CLASS_METRICS) {
    perClass[name] = m.perClass[name];
    macro[name] = m.macro[name];
  }
  return {
    task: 'segmentation',
    classes,
    overall: { accuracy: m.accuracy, miou: m.miou },
    perClass,
    macro,
    confusion,
  };
}

/** One CSV of labels or predictions: per id a label, class probabilities, or both. */
interface LabelTable {
  rows: Map<string, { label?: string; probs?: number[] }>;
  /** Class names of `p_<class>` columns, in column order. */
  names?: string[];
  /** Number of `p0..pN` (or headerless) probability columns. */
  probColumns: number;
}

/**
 * Reads `id,label`, `id,p0,p1,...` (headerless or with a header), or a header naming
 * `label` and `p_<class>` columns as `phi predict` writes them. A first row whose first
 * field is `id`, or that names `label` or probability columns, is a header.
 */
function readTable(path: string): LabelTable {
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const head = rows[0]?.map((h) => h.trim());
  const isProb = (h: string) => /^p_.+$/.test(h) || /^p\d+$/i.test(h);
  const header =
    head && (head[0].toLowerCase() === 'id' || head.some((h) => h.toLowerCase() === 'label' || isProb(h)));
  if (header) rows.shift();
  let labelCol: number;
  let probCols: number[];
  let names: string[] | undefined;
  if (header) {
    const named = head.flatMap((h, i) => (/^p_.+$/.test(h) ? [i] : []));
    const indexed = head.flatMap((h, i) => (/^p\d+$/i.test(h) ? [i] : []));
    if (named.length && indexed.length)
      throw new Error(`${path}: mixes p_<class> and p0..pN columns; use one form`);
    probCols = named.length ? named : indexed;
    if (named.length) names = named.map((i) => head[i].slice(2));
    labelCol = head.findIndex((h, i) => i > 0 && h.toLowerCase() === 'label');
    if (labelCol < 0 && !probCols.length && head.length === 2) labelCol = 1;
    if (labelCol < 0 && !probCols.length)
      throw new Error(`${path}: no label column and no p_<class> columns in ${head.join(',')}`);
  } else {
    const width = rows[0]?.length ?? 0;
    labelCol = width === 2 ? 1 : -1;
    probCols = width > 2 ? Array.from({ length: width - 1 }, (_, i) => i + 1) : [];
  }
  const out: LabelTable['rows'] = new Map();
  for (const r of rows) {
    if (r.length < 2) throw new Error(`${path}: row "${r.join(',')}" needs an id and a label`);
    const id = r[0].trim();
    const row: { label?: string; probs?: number[] } = {};
    if (labelCol >= 0) row.label = r[labelCol]?.trim();
    if (probCols.length) {
      row.probs = probCols.map((c) => Number(r[c]));
      if (row.probs.some((p) => !(p >= 0 && p <= 1)))
        throw new Error(`${path}: ${id} has a probability outside [0, 1]: ${r.join(',')}`);
    }
    out.set(id, row);
  }
  return { rows: out, names, probColumns: probCols.length };
}

const isIndex = (l: string): boolean => /^\d+$/.test(l);

/**
 * The class list: the `p_<class>` names of the predictions; else `0..N-1` for index
 * labels or `p0..pN` columns; else the sorted class names found in the labels.
 */
function classList(truth: LabelTable, pred: LabelTable, count?: number): string[] {
  if (pred.names) return pred.names;
  const labels = [...truth.rows.values(), ...pred.rows.values()].flatMap((r) => (r.label ? [r.label] : []));
  if (pred.probColumns || labels.every(isIndex)) {
    const maxIdx = Math.max(pred.probColumns - 1, ...labels.filter(isIndex).map(Number));
    const n = count ?? maxIdx + 1;
    if (pred.probColumns && n !== pred.probColumns)
      throw new Error(`--classes ${n} but the predictions have ${pred.probColumns} probability columns`);
    const names = labels.filter((l) => !isIndex(l));
    if (names.length)
      throw new Error(
        `label "${names[0]}" is a class name, but the probability columns p0..p${n - 1} do not name the classes: write them as p_<class>`,
      );
    return Array.from({ length: n }, (_, i) => String(i));
  }
  return [...new Set(labels)].sort();
}

/** A label as a class index: the class of that name, else an index 0..N-1. */
function classIndex(id: string, label: string, classes: string[]): number {
  const byName = classes.indexOf(label);
  if (byName >= 0) return byName;
  if (isIndex(label) && Number(label) < classes.length) return Number(label);
  throw new Error(
    `${id}: label "${label}" is neither one of the ${classes.length} classes (${classes.slice(0, 10).join(', ')}) nor an index 0..${classes.length - 1}`,
  );
}

/** The items of `pred` found in `truth`, as class indices and probabilities. */
function matchSet(
  truth: LabelTable,
  pred: LabelTable,
  classes: string[],
): ClassificationSet & { ids: string[] } {
  const set = { classes: classes.length, truth: [] as number[], pred: [] as number[], ids: [] as string[] };
  const probs: number[][] = [];
  for (const [id, p] of pred.rows) {
    const t = truth.rows.get(id);
    if (!t) continue;
    if (t.label === undefined) throw new Error(`${id}: the truth file gives no label`);
    set.ids.push(id);
    set.truth.push(classIndex(id, t.label, classes));
    if (p.probs) {
      probs.push(p.probs);
      set.pred.push(p.probs.indexOf(Math.max(...p.probs)));
    } else set.pred.push(classIndex(id, p.label ?? '', classes));
  }
  return probs.length ? { ...set, probs } : set;
}

/** Reads `id,patient` rows; a first row starting with `id` is a header. */
function readPatients(path: string): Map<string, string> {
  const rows = parseCsv(readFileSync(path, 'utf8'));
  if (rows[0]?.[0].toLowerCase() === 'id') rows.shift();
  const out = new Map<string, string>();
  for (const r of rows) {
    if (r.length < 2 || !r[1]) throw new Error(`${path}: row "${r.join(',')}" needs an id and a patient`);
    out.set(r[0], r[1]);
  }
  return out;
}

type MatchedSet = ClassificationSet & { ids: string[] };

/**
 * Each item's value of each attribute column of a subgroup CSV (an `id`
 * column, then one column per attribute), keyed like the set's ids.
 */
export function readAttributes(
  file: string,
  by: readonly string[] | undefined,
  ids: readonly string[],
): Record<string, (string | undefined)[]> {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  if (!header || header[0]?.trim().toLowerCase() !== 'id')
    throw new Error(`${file}: the first column must be "id", then one column per attribute`);
  const columns = header.slice(1).map((c) => c.trim());
  const wanted = by ?? columns;
  const missing = wanted.filter((c) => !columns.includes(c));
  if (missing.length)
    throw new Error(
      `${file}: no column ${missing.map((m) => `"${m}"`).join(', ')}; it has ${columns.join(', ')}`,
    );
  const byId = new Map(rows.map((r) => [r[0], r]));
  return Object.fromEntries(
    wanted.map((name) => {
      const at = columns.indexOf(name) + 1;
      return [name, ids.map((id) => byId.get(id)?.[at])];
    }),
  );
}

/** One item per patient, by `how` of its items' probabilities (patient.ts). */
function byPatient(set: MatchedSet, patients: NonNullable<FileMetricsOptions['patients']>): MatchedSet {
  const probs = set.probs;
  if (!probs) throw new Error('patient-level metrics need probability columns');
  const map = readPatients(patients.file);
  const items = set.ids.map((id, i) => {
    const patient = map.get(id);
    if (patient === undefined) throw new Error(`${id}: no patient in ${patients.file}`);
    return { patient, truth: set.truth[i], probs: probs[i] };
  });
  const agg = aggregateByPatient(items, patients.how);
  return {
    classes: set.classes,
    truth: agg.map((a) => a.truth),
    pred: agg.map((a) => a.probs.indexOf(Math.max(...a.probs))),
    probs: agg.map((a) => a.probs),
    ids: agg.map((a) => a.patient),
  };
}

function classification(o: FileMetricsOptions): MetricsReport {
  const truth = readTable(o.truth);
  const pred = readTable(o.pred);
  const classes = classList(truth, pred, o.classes);
  const items = matchSet(truth, pred, classes);
  if (!items.ids.length) throw new Error(`none of the ids of ${o.pred} is in ${o.truth}`);
  const set = o.patients ? byPatient(items, o.patients) : items;
  const validation = o.operatingPoint?.validation;
  let chooseOn: ClassificationSet | undefined;
  let validationIds = new Set<string>();
  if (validation) {
    const table = readTable(validation);
    if (!table.probColumns) throw new Error(`${validation}: no probability columns to choose a threshold on`);
    if (table.names ? table.names.join(',') !== classes.join(',') : table.probColumns !== classes.length)
      throw new Error(`${validation}: its probability columns differ from those of ${o.pred}`);
    const matched = matchSet(truth, table, classes);
    if (!matched.truth.length) throw new Error(`${validation}: none of its ids is in ${o.truth}`);
    chooseOn = o.patients ? byPatient(matched, o.patients) : matched;
    validationIds = new Set(table.rows.keys());
  }
  if (o.operatingPoint && !set.probs)
    throw new Error(`${o.pred}: an operating point needs probability columns`);
  const study = studyMetrics(set, {
    bins: o.bins ?? DEFAULT_BINS,
    bootstrap: { resamples: o.bootstrap ?? DEFAULT_RESAMPLES, seed: o.seed ?? 0 },
    operating: o.operatingPoint && { rule: o.operatingPoint.rule, chooseOn },
  });
  const confusion = Array.from({ length: classes.length }, () => new Array<number>(classes.length).fill(0));
  set.truth.forEach((t, i) => confusion[t][set.pred[i]]++);
  const subgroups =
    o.subgroups &&
    subgroupStudies(set, readAttributes(o.subgroups.file, o.subgroups.by, set.ids), {
      bins: o.bins ?? DEFAULT_BINS,
      bootstrap: { resamples: o.bootstrap ?? DEFAULT_RESAMPLES, seed: o.seed ?? 0 },
      operating: o.operatingPoint && { rule: o.operatingPoint.rule, chooseOn },
    }).map(({ attribute, groups }) => ({
      attribute,
      groups: groups.map(({ metrics, ...counts }) => ({
        ...counts,
        overall: metrics.overall,
        perClass: metrics.perClass,
        macro: metrics.macro,
      })),
    }));
  const matchedIds = new Set(items.ids);
  const unmatched = [
    ...[...truth.rows.keys()].filter((id) => !matchedIds.has(id) && !validationIds.has(id)),
    ...[...pred.rows.keys()].filter((id) => !truth.rows.has(id)),
  ];
  return {
    task: 'classification',
    classes,
    overall: study.overall,
    perClass: study.perClass,
    macro: study.macro,
    confusion,
    reliability: study.reliability,
    operatingPoint: study.operatingPoint && {
      rule: study.operatingPoint.rule,
      chosenOn: validation ?? o.pred,
      classes: study.operatingPoint.classes.map((p) => ({ class: classes[p.classIndex], ...p })),
    },
    ...(subgroups ? { subgroups } : {}),
    settings: {
      items: items.ids.length,
      ...(o.patients ? { patients: study.settings.items, patientLevel: o.patients.how } : {}),
      ...(study.settings.bins === undefined ? {} : { eceBins: study.settings.bins }),
      bootstrapResamples: study.settings.bootstrap,
      seed: study.settings.seed,
      ci: `${study.settings.level * 100}% stratified bootstrap, percentile`,
    },
    matched: items.ids.length,
    unmatched,
  };
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

/**
 * Mask values to class indices by the dataset reader's rule (0/255 and 0/1 masks are
 * background/foreground; data/layouts/mask-classes.ts), applied to the truth and to the
 * predictions separately, so 0/255 truth masks compare with 0/1 predicted ones.
 */
async function segmentation(o: FileMetricsOptions): Promise<MetricsReport> {
  if (holdsVolumes(o.truth)) return volumeSegmentation(o);
  const { both, unmatched } = pairs(o.truth, o.pred);
  const loaded: [string, Float64Array, Float64Array][] = [];
  const truthValues = new Set<number>();
  const predValues = new Set<number>();
  for (const [name, tf, pf] of both) {
    const t = Float64Array.from(await readMask(tf), Math.round);
    const p = Float64Array.from(await readMask(pf), Math.round);
    if (t.length !== p.length)
      throw new Error(`${name}: truth has ${t.length} values, prediction ${p.length}`);
    t.forEach((v) => truthValues.add(v));
    p.forEach((v) => predValues.add(v));
    loaded.push([name, t, p]);
  }
  const truthMap = maskClassesFromValues(truthValues);
  const predMap = maskClassesFromValues(predValues);
  const k = o.classes ?? Math.max(truthMap.classes.length, predMap.classes.length);
  const cm = new ConfusionMatrix(k);
  // Each image's own Dice per class too: a study reports their distribution, not only the pooled figure.
  const perImage: (number | null)[][] = [];
  for (const [name, t, p] of loaded) {
    const image = new ConfusionMatrix(k);
    for (let i = 0; i < t.length; i++) {
      const a = truthMap.map.get(t[i]) as number;
      const b = predMap.map.get(p[i]) as number;
      if (a >= k || b >= k)
        throw new Error(`${name}: mask value ${a >= k ? t[i] : p[i]} is a class past ${k - 1}`);
      cm.add(a, b);
      image.add(a, b);
    }
    perImage.push(image.metrics().perClass.dice);
  }
  const classes = Array.from(
    { length: k },
    (_, i) => truthMap.classes[i] ?? predMap.classes[i] ?? `class ${i}`,
  );
  return {
    ...segmentationReport(classes, cm.metrics(), cm.counts),
    perCaseDice: classes.map((name, c) => ({
      class: name,
      ...distribution(perImage.flatMap((dice) => (dice[c] === null ? [] : [dice[c] as number]))),
    })),
    settings: {
      images: loaded.length,
      pooled: 'overall and per-class figures pool every pixel of every image',
    },
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
  const range = acc.dataRange();
  return {
    task: 'transformation',
    classes: [],
    overall: { ...m },
    perClass: {},
    macro: {},
    settings: {
      items: both.length,
      ...(range === null ? {} : { psnrDataRange: range }),
      psnrDataRangeFrom: o.range === undefined ? "the targets' max - min" : '--range',
    },
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
  const scoreThreshold = o.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  const presence = presenceAccuracy(list, classes.length, scoreThreshold);
  return {
    task: 'detection',
    classes,
    overall: { map50: d.map50, map: d.map },
    perClass: { ap50: d.ap50, accuracyByClass: presence.perClass },
    macro: { accuracyByClass: presence.macro },
    // Accuracy by class counts a class as found at this score; mAP uses every box.
    settings: { images: list.length, scoreThreshold },
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
