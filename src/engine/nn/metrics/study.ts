/**
 * The metrics of a classification study from predicted labels and, where given, class
 * probabilities (docs/metrics.md): the confusion metrics of docs/design.md section 7,
 * per class one-vs-rest AUC, average precision, Brier score, ECE and calibration slope
 * and intercept, their macro means and micro averages, each with a stratified-bootstrap
 * 95% interval, DeLong intervals for the AUCs, reliability diagrams and an operating point.
 */
import { stratifiedBootstrap, type BootstrapOptions, type Interval } from './bootstrap';
import { brierBinary, brierMulticlass, calibration, Recalibration, type ReliabilityBin } from './calibration';
import { meanOfNonNull } from '../../api/metric-names';
import { classMetrics, PER_CLASS_METRICS } from './confusion';
import { delong, delongInterval } from './delong';
import {
  applyThreshold,
  chooseThreshold,
  describeRule,
  type OperatingPoint,
  type OperatingRule,
} from './operating-point';
import { BinaryScores } from './roc';

/** Items of one set: true and predicted class indices, and optionally class probabilities. */
export interface ClassificationSet {
  classes: number;
  truth: readonly number[];
  pred: readonly number[];
  /** `probs[i][c]`: item i's probability of class c. */
  probs?: readonly (readonly number[])[];
}

/** Options of {@link studyMetrics}. */
export interface StudyOptions {
  /** Equal-width calibration bins. */
  bins: number;
  /** Bootstrap resamples (0: no intervals) and seed. */
  bootstrap: BootstrapOptions;
  /** Operating point: the rule, and the set it is chosen on (the same set when absent). */
  operating?: { rule: OperatingRule; chooseOn?: ClassificationSet };
}

/** A value, or an interval (keys ending in `CI95`). */
export type ReportValue = number | Interval | null;

/** The operating point of one class, with intervals of its rates at the fixed threshold. */
export interface ClassOperatingPoint extends Omit<OperatingPoint, 'threshold'> {
  classIndex: number;
  /** `null` when the threshold is above every score: nothing is called positive. */
  threshold: number | null;
  sensitivityCI95: Interval | null;
  specificityCI95: Interval | null;
  ppvCI95: Interval | null;
  npvCI95: Interval | null;
}

/** Result of {@link studyMetrics}. */
export interface StudyMetrics {
  overall: Record<string, ReportValue>;
  perClass: Record<string, ReportValue[]>;
  macro: Record<string, ReportValue>;
  /** Reliability diagram of the overall ECE and of each class's one-vs-rest ECE. */
  reliability?: { overall: ReliabilityBin[]; perClass: ReliabilityBin[][] };
  operatingPoint?: { rule: string; classes: ClassOperatingPoint[] };
  /** The settings every figure was computed with. */
  settings: { items: number; bins?: number; bootstrap: number; seed: number; level: number };
}

/** Metrics with one value per class, in report order. */
const CONFUSION = PER_CLASS_METRICS.filter((m) => m !== 'iou');
const SCORED = [
  'auc',
  'averagePrecision',
  'brier',
  'ece',
  'calibrationSlope',
  'calibrationIntercept',
] as const;
const RATES = ['sensitivity', 'specificity', 'ppv', 'npv'] as const;

type Flat = Record<string, number | null>;

function oneHot(set: ClassificationSet, c: number): Uint8Array {
  return Uint8Array.from(set.truth, (t) => (t === c ? 1 : 0));
}

function column(set: ClassificationSet, c: number): Float64Array {
  return Float64Array.from(set.probs ?? [], (p) => p[c]);
}

/** The classes whose probability an operating point and the binary summaries use: class 1 of two. */
function summaryClasses(k: number): number[] {
  return k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
}

/** Computes the report of one set; see the module comment. */
export function studyMetrics(set: ClassificationSet, options: StudyOptions): StudyMetrics {
  const k = set.classes;
  const n = set.truth.length;
  const present = Array.from({ length: k }, (_, c) => set.truth.includes(c));
  const probs = set.probs;
  const outcome = Array.from({ length: k }, (_, c) => oneHot(set, c));
  const score = probs ? Array.from({ length: k }, (_, c) => column(set, c)) : [];
  const ranked = score.map((s, c) => new BinaryScores(outcome[c], s));
  const micro =
    probs && k > 2
      ? new BinaryScores(
          Uint8Array.from({ length: n * k }, (_, j) => outcome[j % k][Math.floor(j / k)]),
          Float64Array.from({ length: n * k }, (_, j) => probs[Math.floor(j / k)][j % k]),
        )
      : null;
  const recalibrations = score.map((s, c) => (present[c] ? new Recalibration(outcome[c], s) : null));
  // A resample's fit starts at the whole set's: Newton reaches the same optimum in fewer steps.
  const wholeFit = recalibrations.map((r) => r?.fit() ?? undefined);
  const microWeight = micro ? new Float64Array(n * k) : null;
  const topConfidence = probs ? Float64Array.from(probs, (p) => Math.max(...p)) : null;
  const topCorrect = probs
    ? Uint8Array.from(probs, (p, i) => (p.indexOf(Math.max(...p)) === set.truth[i] ? 1 : 0))
    : null;

  const thresholds = new Map<number, number>();
  if (probs && options.operating) {
    const on = options.operating.chooseOn ?? set;
    if (!on.probs) throw new Error('an operating point needs class probabilities');
    for (const c of summaryClasses(k)) {
      const t = chooseThreshold(oneHot(on, c), column(on, c), options.operating.rule);
      if (t !== null) thresholds.set(c, t);
    }
  }

  // The record's keys, built once: a bootstrap fills the record thousands of times.
  const classKeys = (section: string, name: string): string[] =>
    Array.from({ length: k }, (_, c) => `${section}.${name}.${c}`);
  const perClassKey = Object.fromEntries(
    [...CONFUSION, ...SCORED].map((name) => [name, classKeys('perClass', name)]),
  );
  const operatingKey = Object.fromEntries(RATES.map((rate) => [rate, classKeys('operating', rate)]));
  const macroKey = Object.fromEntries([...CONFUSION, ...SCORED].map((name) => [name, `macro.${name}`]));
  const overallKey = Object.fromEntries(SCORED.map((name) => [name, `overall.${name}`]));

  /** Every figure as a flat `section.metric[.class]` record, for one weighting of the items. */
  const estimates = (weight?: Float64Array): Flat => {
    const flat: Flat = {};
    const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i++) m[set.truth[i]][set.pred[i]] += weight ? weight[i] : 1;
    const cm = classMetrics(m);
    flat['overall.accuracy'] = cm.accuracy;
    for (const name of CONFUSION) {
      cm.perClass[name].forEach((v, c) => (flat[perClassKey[name][c]] = v));
      flat[macroKey[name]] = cm.macro[name];
    }
    if (!probs) return flat;
    const perClass: Record<(typeof SCORED)[number], (number | null)[]> = {
      auc: [],
      averagePrecision: [],
      brier: [],
      ece: [],
      calibrationSlope: [],
      calibrationIntercept: [],
    };
    for (let c = 0; c < k; c++) {
      const fit = weight ? recalibrations[c]?.fit(weight, wholeFit[c]) : wholeFit[c];
      const areas = ranked[c].areas(weight);
      perClass.auc.push(areas.auc);
      perClass.averagePrecision.push(areas.averagePrecision);
      perClass.brier.push(present[c] ? brierBinary(outcome[c], score[c], weight) : null);
      perClass.ece.push(present[c] ? calibration(score[c], outcome[c], options.bins, weight).ece : null);
      perClass.calibrationSlope.push(fit?.slope ?? null);
      perClass.calibrationIntercept.push(fit?.intercept ?? null);
    }
    for (const name of SCORED) {
      perClass[name].forEach((v, c) => (flat[perClassKey[name][c]] = v));
      // A mean of slopes or intercepts over classes describes no model: no macro value for them.
      if (name !== 'calibrationSlope' && name !== 'calibrationIntercept')
        flat[macroKey[name]] = meanOfNonNull(perClass[name]);
    }
    if (k === 2) for (const name of SCORED) flat[overallKey[name]] = perClass[name][1];
    else {
      flat['overall.auc'] = flat['macro.auc'];
      flat['overall.averagePrecision'] = flat['macro.averagePrecision'];
      if (weight && microWeight) for (let j = 0; j < n * k; j++) microWeight[j] = weight[Math.floor(j / k)];
      const pairWeight = weight ? (microWeight ?? undefined) : undefined;
      const microAreas = micro?.areas(pairWeight);
      flat['overall.aucMicro'] = microAreas?.auc ?? null;
      flat['overall.averagePrecisionMicro'] = microAreas?.averagePrecision ?? null;
      flat['overall.brier'] = brierMulticlass(set.truth, probs, weight);
      flat['overall.ece'] = calibration(
        topConfidence as Float64Array,
        topCorrect as Uint8Array,
        options.bins,
        weight,
      ).ece;
    }
    for (const [c, t] of thresholds) {
      const op = applyThreshold(outcome[c], score[c], t, weight);
      for (const rate of RATES) flat[operatingKey[rate][c]] = op[rate];
    }
    return flat;
  };

  const point = estimates();
  const ci =
    options.bootstrap.resamples > 0
      ? stratifiedBootstrap(set.truth, options.bootstrap, estimates)
      : ({} as Record<string, Interval | null>);
  const out: StudyMetrics = {
    overall: {},
    perClass: {},
    macro: {},
    settings: {
      items: n,
      bins: probs ? options.bins : undefined,
      bootstrap: options.bootstrap.resamples,
      seed: options.bootstrap.seed,
      level: options.bootstrap.level ?? 0.95,
    },
  };
  const withCi = options.bootstrap.resamples > 0;
  for (const [key, value] of Object.entries(point)) {
    const [section, name, cls] = key.split('.');
    if (section === 'operating') continue;
    if (section === 'perClass') {
      const arr = (out.perClass[name] ??= new Array<ReportValue>(k).fill(null));
      arr[Number(cls)] = value;
      if (withCi)
        (out.perClass[`${name}CI95`] ??= new Array<ReportValue>(k).fill(null))[Number(cls)] = ci[key];
    } else {
      const target = section === 'overall' ? out.overall : out.macro;
      target[name] = value;
      if (withCi) target[`${name}CI95`] = ci[key] ?? null;
    }
  }
  if (probs) {
    const intervals = outcome.map((o, c) => {
      const d = present[c] ? delong(o, score[c]) : null;
      return d ? delongInterval(d) : null;
    });
    out.perClass.aucDeLongCI95 = intervals;
    if (k === 2) out.overall.aucDeLongCI95 = intervals[1];
    const top =
      k === 2
        ? calibration(score[1], outcome[1], options.bins)
        : calibration(topConfidence as Float64Array, topCorrect as Uint8Array, options.bins);
    out.reliability = {
      overall: top.bins,
      perClass: score.map((s, c) => calibration(s, outcome[c], options.bins).bins),
    };
  }
  if (options.operating && probs) {
    out.operatingPoint = {
      rule: describeRule(options.operating.rule),
      classes: [...thresholds].map(([c, t]) => {
        const op = applyThreshold(outcome[c], score[c], t);
        const interval = (rate: string): Interval | null => ci[`operating.${rate}.${c}`] ?? null;
        return {
          ...op,
          threshold: Number.isFinite(t) ? t : null,
          classIndex: c,
          sensitivityCI95: interval('sensitivity'),
          specificityCI95: interval('specificity'),
          ppvCI95: interval('ppv'),
          npvCI95: interval('npv'),
        };
      }),
    };
  }
  return out;
}
