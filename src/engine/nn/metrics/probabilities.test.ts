import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../run/rng';
import { pythonWith } from '../../test-support/python';
import { percentileInterval, quantileSorted, stratifiedBootstrap } from './bootstrap';
import { brierBinary, brierMulticlass, calibration, recalibration, type ReliabilityBin } from './calibration';
import { delong, delongInterval, midranks } from './delong';
import { applyThreshold, chooseThreshold, parseOperatingRule } from './operating-point';
import { aggregateByPatient } from './patient';
import { BinaryScores } from './roc';
import { studyMetrics } from './study';

interface RefBin {
  count: number;
  meanConfidence: number | null;
  observedFrequency: number | null;
}
interface RefClass {
  auc: number;
  fpr: number[];
  tpr: number[];
  averagePrecision: number;
  precision: number[];
  recall: number[];
  brier: number;
  ece: number;
  reliability: RefBin[];
  calibrationSlope: number;
  calibrationIntercept: number;
  delongVariance: number;
}
interface RefCase {
  name: string;
  classes: number;
  bins: number;
  truth: number[];
  probs: number[][];
  perClass: RefClass[];
  brierMulticlass: number;
  topLabelEce: number;
  topLabelReliability: RefBin[];
  aucMacro?: number;
  aucMicro?: number;
  averagePrecisionMacro?: number;
  averagePrecisionMicro?: number;
}

/** scikit-learn's values, computed now by tools/metrics-reference/probabilities.py. */
function reference(): RefCase[] {
  const python = pythonWith(['numpy', 'sklearn'], 'python3-numpy python3-sklearn');
  const script = join(__dirname, '../../../../tools/metrics-reference/probabilities.py');
  const run = spawnSync(python, [script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { cases: RefCase[] }).cases;
}

const TOL = 1e-9;
function near(got: number | null | undefined, want: number): void {
  expect(got).not.toBeNull();
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(TOL);
}
function nearAll(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => near(g, want[i]));
}
function sameBins(got: ReliabilityBin[], want: RefBin[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((b, i) => {
    expect(b.count).toBe(want[i].count);
    if (want[i].meanConfidence === null) expect(b.meanConfidence).toBeNull();
    else near(b.meanConfidence, want[i].meanConfidence as number);
    if (want[i].observedFrequency === null) expect(b.observedFrequency).toBeNull();
    else near(b.observedFrequency, want[i].observedFrequency as number);
  });
}

describe('probability metrics against scikit-learn (to 1e-9)', () => {
  const cases = reference();

  it.each(cases)('$name: per-class ROC, PR, AUC, AP, Brier, ECE, slope, DeLong', (c) => {
    for (let k = 0; k < c.classes; k++) {
      const want = c.perClass[k];
      const y = c.truth.map((t) => (t === k ? 1 : 0));
      const p = c.probs.map((row) => row[k]);
      const scores = new BinaryScores(y, p);
      near(scores.auc(), want.auc);
      const roc = scores.roc();
      nearAll(roc?.fpr ?? [], want.fpr);
      nearAll(roc?.tpr ?? [], want.tpr);
      near(scores.averagePrecision(), want.averagePrecision);
      const pr = scores.pr();
      nearAll(pr?.precision ?? [], want.precision);
      nearAll(pr?.recall ?? [], want.recall);
      near(brierBinary(y, p), want.brier);
      const cal = calibration(p, y, c.bins);
      near(cal.ece, want.ece);
      sameBins(cal.bins, want.reliability);
      const fit = recalibration(y, p);
      near(fit?.slope, want.calibrationSlope);
      near(fit?.intercept, want.calibrationIntercept);
      const d = delong(y, p);
      near(d?.auc, want.auc);
      near(d?.variance, want.delongVariance);
    }
  });

  it.each(cases)('$name: multi-class Brier, top-label ECE, macro and micro averages', (c) => {
    near(brierMulticlass(c.truth, c.probs), c.brierMulticlass);
    const top = c.probs.map((row) => Math.max(...row));
    const correct = c.probs.map((row, i) => (row.indexOf(Math.max(...row)) === c.truth[i] ? 1 : 0));
    const cal = calibration(top, correct, c.bins);
    near(cal.ece, c.topLabelEce);
    sameBins(cal.bins, c.topLabelReliability);
    const pred = c.probs.map((row) => row.indexOf(Math.max(...row)));
    const m = studyMetrics(
      { classes: c.classes, truth: c.truth, pred, probs: c.probs },
      { bins: c.bins, bootstrap: { resamples: 0, seed: 1 } },
    );
    expect(m.settings).toMatchObject({ items: c.truth.length, bins: c.bins });
    for (const name of ['auc', 'averagePrecision', 'brier', 'ece'] as const)
      c.perClass.forEach((want, k) => near(m.perClass[name][k] as number, want[name]));
    if (c.classes === 2) {
      near(m.overall.auc as number, c.perClass[1].auc);
      near(m.overall.averagePrecision as number, c.perClass[1].averagePrecision);
      near(m.overall.brier as number, c.perClass[1].brier);
      near(m.overall.ece as number, c.perClass[1].ece);
      near(m.overall.calibrationSlope as number, c.perClass[1].calibrationSlope);
    } else {
      near(m.overall.auc as number, c.aucMacro as number);
      near(m.macro.auc as number, c.aucMacro as number);
      near(m.overall.aucMicro as number, c.aucMicro as number);
      near(m.overall.averagePrecision as number, c.averagePrecisionMacro as number);
      near(m.overall.averagePrecisionMicro as number, c.averagePrecisionMicro as number);
      near(m.overall.brier as number, c.brierMulticlass);
      near(m.overall.ece as number, c.topLabelEce);
    }
  });
});

/** Scores with a known AUC: negatives ~ Exp(1), positives ~ Exp(1/2), so AUC = P(X > Y) = 2/3. */
function simulate(rng: () => number, positives: number, negatives: number): { y: number[]; s: number[] } {
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < positives; i++) {
    y.push(1);
    s.push(-2 * Math.log(1 - rng()));
  }
  for (let i = 0; i < negatives; i++) {
    y.push(0);
    s.push(-Math.log(1 - rng()));
  }
  return { y, s };
}
const TRUE_AUC = 2 / 3;

describe('confidence intervals', () => {
  it('95% bootstrap and DeLong intervals cover the true AUC about 95% of the time (200 simulated studies)', () => {
    const rng = createRng(20261206);
    let bootstrapCovers = 0;
    let delongCovers = 0;
    const studies = 200;
    for (let r = 0; r < studies; r++) {
      const { y, s } = simulate(rng, 60, 80);
      const scores = new BinaryScores(y, s);
      const ci = stratifiedBootstrap(y, { resamples: 1000, seed: r }, (w) => ({ auc: scores.auc(w) })).auc;
      if (ci && ci[0] <= TRUE_AUC && TRUE_AUC <= ci[1]) bootstrapCovers++;
      const d = delongInterval(delong(y, s) as NonNullable<ReturnType<typeof delong>>);
      if (d[0] <= TRUE_AUC && TRUE_AUC <= d[1]) delongCovers++;
    }
    expect(bootstrapCovers / studies).toBeGreaterThanOrEqual(0.88);
    expect(bootstrapCovers / studies).toBeLessThanOrEqual(0.99);
    expect(delongCovers / studies).toBeGreaterThanOrEqual(0.88);
    expect(delongCovers / studies).toBeLessThanOrEqual(0.99);
  });

  it("DeLong's variance agrees with the bootstrap variance of the AUC", () => {
    const { y, s } = simulate(createRng(7), 150, 150);
    const scores = new BinaryScores(y, s);
    const draws: number[] = [];
    stratifiedBootstrap(y, { resamples: 4000, seed: 3 }, (w) => {
      draws.push(scores.auc(w) as number);
      return {};
    });
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const bootVar = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    const d = delong(y, s);
    expect(d?.auc).toBeCloseTo(scores.auc() as number, 12);
    expect((d?.variance as number) / bootVar).toBeGreaterThan(0.85);
    expect((d?.variance as number) / bootVar).toBeLessThan(1.15);
  });

  it('stratified resamples keep each class count; the same seed gives the same intervals', () => {
    const strata = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
    const values = strata.map((_, i) => Math.sqrt(i + 1));
    const counts: number[][] = [];
    const stat = (w: Float64Array) => {
      counts.push([0, 1, 2].map((c) => strata.reduce((s, t, i) => s + (t === c ? w[i] : 0), 0)));
      return { mean: values.reduce((s, v, i) => s + v * w[i], 0) / strata.length };
    };
    const a = stratifiedBootstrap(strata, { resamples: 200, seed: 42 }, stat);
    for (const c of counts) expect(c).toEqual([3, 2, 5]);
    const b = stratifiedBootstrap(strata, { resamples: 200, seed: 42 }, stat);
    expect(b).toEqual(a);
    expect(stratifiedBootstrap(strata, { resamples: 200, seed: 43 }, stat)).not.toEqual(a);
  });

  it('percentile method interpolates between order statistics as numpy does; undefined draws are left out', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([0, 10], 0.025)).toBeCloseTo(0.25, 12);
    expect(percentileInterval([])).toBeNull();
    const ci = stratifiedBootstrap([0, 1], { resamples: 10, seed: 1 }, () => ({ never: null, one: 1 }));
    expect(ci).toEqual({ never: null, one: [1, 1] });
  });

  it('midranks share tied ranks', () => {
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
  });
});

describe('operating points', () => {
  // Scores sorted: positives 0.9, 0.8, 0.6, 0.3; negatives 0.7, 0.4, 0.2, 0.1.
  const y = [1, 1, 0, 1, 0, 1, 0, 0];
  const s = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1];

  it("Youden's J, target sensitivity and target specificity pick the thresholds by hand", () => {
    // J at 0.8: 0.5 + 1 - 1 = 0.5; at 0.6: 0.75 + 0.75 - 1 = 0.5; at 0.3: 1 + 0.5 - 1 = 0.5; highest wins.
    expect(chooseThreshold(y, s, { kind: 'youden' })).toBe(0.8);
    expect(chooseThreshold(y, s, parseOperatingRule('sens=0.75'))).toBe(0.6);
    expect(chooseThreshold(y, s, parseOperatingRule('sens=1'))).toBe(0.3);
    expect(chooseThreshold(y, s, parseOperatingRule('spec=0.75'))).toBe(0.6);
    expect(chooseThreshold(y, s, parseOperatingRule('spec=1'))).toBe(0.8);
    expect(chooseThreshold([1, 0], [0.5, 0.5], parseOperatingRule('spec=1'))).toBe(Infinity);
    expect(chooseThreshold([1, 1], [0.2, 0.5], { kind: 'youden' })).toBeNull();
    expect(() => parseOperatingRule('sens=2')).toThrow(/youden, sens=T or spec=T/);
  });

  it('applies a threshold chosen on one set to another, with counts', () => {
    const t = chooseThreshold(y, s, parseOperatingRule('sens=0.75')) as number;
    const op = applyThreshold([1, 0, 1, 0, 0], [0.65, 0.6, 0.5, 0.2, 0.9], t);
    expect(op).toEqual({
      threshold: 0.6,
      tp: 1,
      fn: 1,
      fp: 2,
      tn: 1,
      sensitivity: 0.5,
      specificity: 1 / 3,
      ppv: 1 / 3,
      npv: 0.5,
    });
  });

  it('the study report carries the operating point chosen on a validation set, with intervals', () => {
    const probs = s.map((p) => [1 - p, p]);
    const test = {
      classes: 2,
      truth: [1, 0, 1, 0],
      pred: [1, 1, 0, 0],
      probs: [0.7, 0.65, 0.5, 0.1].map((p) => [1 - p, p]),
    };
    const m = studyMetrics(test, {
      bins: 10,
      bootstrap: { resamples: 50, seed: 5 },
      operating: {
        rule: parseOperatingRule('sens=0.75'),
        chooseOn: { classes: 2, truth: y, pred: y, probs },
      },
    });
    expect(m.operatingPoint?.rule).toBe('sensitivity >= 0.75');
    expect(m.operatingPoint?.classes).toHaveLength(1);
    const op = m.operatingPoint?.classes[0];
    expect(op).toMatchObject({ classIndex: 1, threshold: 0.6, tp: 1, fn: 1, fp: 1, tn: 1 });
    expect(op?.sensitivityCI95?.[0]).toBeGreaterThanOrEqual(0);
    expect(op?.sensitivityCI95?.[1]).toBeLessThanOrEqual(1);
  });
});

describe('study report', () => {
  it('gives an interval for every reported value and nulls for a class absent from the truth', () => {
    const rng = createRng(11);
    const truth = Array.from({ length: 60 }, (_, i) => i % 2);
    const probs = truth.map((t) => {
      const a = rng() * 0.5 + (t === 0 ? 0.3 : 0);
      const b = rng() * 0.5 + (t === 1 ? 0.3 : 0);
      const z = a + b + 0.05;
      return [a / z, b / z, 0.05 / z];
    });
    const pred = probs.map((p) => p.indexOf(Math.max(...p)));
    const m = studyMetrics(
      { classes: 3, truth, pred, probs },
      { bins: 10, bootstrap: { resamples: 200, seed: 1 } },
    );
    for (const key of Object.keys(m.overall))
      if (!key.endsWith('CI95')) expect(m.overall[`${key}CI95`], key).toBeDefined();
    for (const key of Object.keys(m.perClass))
      if (!key.endsWith('CI95')) expect(m.perClass[`${key}CI95`], key).toHaveLength(3);
    const auc = m.overall.auc as number;
    const [lo, hi] = m.overall.aucCI95 as [number, number];
    expect(lo).toBeLessThanOrEqual(auc);
    expect(hi).toBeGreaterThanOrEqual(auc);
    for (const name of ['auc', 'averagePrecision', 'brier', 'ece', 'sensitivity', 'calibrationSlope'])
      expect(m.perClass[name][2], name).toBeNull();
    expect(m.perClass.aucDeLongCI95[2]).toBeNull();
    expect(m.reliability?.overall).toHaveLength(10);
    expect(m.reliability?.overall.reduce((s, b) => s + b.count, 0)).toBe(60);
  });

  it('labels alone give the confusion metrics with intervals and no probability metrics', () => {
    const m = studyMetrics(
      { classes: 2, truth: [0, 0, 1, 1, 1], pred: [0, 1, 1, 1, 0] },
      { bins: 10, bootstrap: { resamples: 100, seed: 2 } },
    );
    expect(m.overall.accuracy).toBeCloseTo(0.6, 12);
    expect(m.overall.accuracyCI95).toHaveLength(2);
    expect(m.overall.auc).toBeUndefined();
    expect(m.reliability).toBeUndefined();
    expect(m.settings.bins).toBeUndefined();
  });
});

describe('patient-level aggregation', () => {
  const items = [
    { patient: 'a', truth: 1, probs: [0.9, 0.1] },
    { patient: 'a', truth: 0, probs: [0.2, 0.8] },
    { patient: 'b', truth: 0, probs: [0.7, 0.3] },
    { patient: 'b', truth: 0, probs: [0.5, 0.5] },
  ];

  it('max: the most suspicious item decides, and a patient with any positive item is positive', () => {
    const [a, b] = aggregateByPatient(items, 'max');
    expect(a).toEqual({ patient: 'a', items: 2, truth: 1, probs: [1 - 0.8, 0.8] });
    expect(b.probs).toEqual([0.5, 0.5]);
    expect(b.truth).toBe(0);
  });

  it('mean: per-class mean; items of one patient must share the truth', () => {
    const [b] = aggregateByPatient(items.slice(2), 'mean');
    expect(b.probs[0]).toBeCloseTo(0.6, 12);
    expect(b.probs[1]).toBeCloseTo(0.4, 12);
    expect(() => aggregateByPatient(items, 'mean')).toThrow(/patient a: items of classes/);
  });
});
