/**
 * Cost of the study report's bootstrap (docs/metrics.md, "Confidence intervals"):
 * `studyMetrics` with 2000 stratified resamples of 2000 two-class items, against a
 * straightforward reference measured in the same run, which copies each resample's
 * items out and computes every figure on the copy with the unweighted functions
 * (sorting each copy again, logits recomputed, Newton from slope 1). Both draw the
 * same resamples, so the bench also checks that their intervals agree.
 * Run: `npm run bench -- metrics [items] [resamples]`.
 */
import { percentileInterval } from '../src/engine/nn/metrics/bootstrap';
import { brierBinary, calibration, recalibration } from '../src/engine/nn/metrics/calibration';
import { classMetrics } from '../src/engine/nn/metrics/confusion';
import { applyThreshold, chooseThreshold } from '../src/engine/nn/metrics/operating-point';
import { BinaryScores } from '../src/engine/nn/metrics/roc';
import { studyMetrics } from '../src/engine/nn/metrics/study';
import { createRng } from '../src/engine/run/rng';

const items = Number(process.argv[2] ?? 2000);
const resamples = Number(process.argv[3] ?? 2000);
const seed = 7;

// Two overlapping classes, 40% positive, probabilities in (0, 1).
const random = createRng(1);
const truth: number[] = [];
const probs: number[][] = [];
for (let i = 0; i < items; i++) {
  const t = random() < 0.4 ? 1 : 0;
  const p = Math.min(0.999, Math.max(0.001, 0.5 + (t ? 0.15 : -0.15) + 0.9 * (random() - 0.5)));
  truth.push(t);
  probs.push([1 - p, p]);
}
const pred = probs.map((p) => (p[1] >= p[0] ? 1 : 0));
const rule = { kind: 'youden' } as const;

/** Class 1's figures of one set of items, each computed from scratch. */
function figuresOf(
  t: number[],
  p: number[],
  predicted: number[],
  threshold: number,
): Record<string, number | null> {
  const positive = t.map((v) => (v === 1 ? 1 : 0));
  const scores = new BinaryScores(positive, p);
  const m = [
    [0, 0],
    [0, 0],
  ];
  t.forEach((v, i) => m[v][predicted[i]]++);
  const fit = recalibration(positive, p);
  const op = applyThreshold(positive, p, threshold);
  return {
    accuracy: classMetrics(m).accuracy,
    auc: scores.auc(),
    averagePrecision: scores.averagePrecision(),
    brier: brierBinary(positive, p),
    ece: calibration(p, positive, 10).ece,
    calibrationSlope: fit?.slope ?? null,
    sensitivity: op.sensitivity,
  };
}

/** The reference: the same stratified draws, each resample copied out and measured afresh. */
function reference(threshold: number): Record<string, [number, number] | null> {
  // Strata in the order their first item appears, as the bootstrap draws them.
  const groups = [...new Set(truth)].map((c) => truth.flatMap((t, i) => (t === c ? [i] : [])));
  const rng = createRng(seed);
  const draws: Record<string, number[]> = {};
  for (let r = 0; r < resamples; r++) {
    const picked: number[] = [];
    for (const members of groups)
      for (let k = 0; k < members.length; k++) picked.push(members[Math.floor(rng() * members.length)]);
    const figures = figuresOf(
      picked.map((i) => truth[i]),
      picked.map((i) => probs[i][1]),
      picked.map((i) => pred[i]),
      threshold,
    );
    for (const [key, value] of Object.entries(figures)) if (value !== null) (draws[key] ??= []).push(value);
  }
  return Object.fromEntries(Object.entries(draws).map(([key, values]) => [key, percentileInterval(values)]));
}

const threshold = chooseThreshold(
  truth.map((t) => (t === 1 ? 1 : 0)),
  probs.map((p) => p[1]),
  rule,
) as number;

const t0 = performance.now();
const fast = studyMetrics(
  { classes: 2, truth, pred, probs },
  { bins: 10, bootstrap: { resamples, seed }, operating: { rule } },
);
const fastSeconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
const slow = reference(threshold);
const slowSeconds = (performance.now() - t1) / 1000;

const pairs: [string, unknown][] = [
  ['accuracy', fast.overall.accuracyCI95],
  ['auc', fast.overall.aucCI95],
  ['averagePrecision', fast.overall.averagePrecisionCI95],
  ['brier', fast.overall.brierCI95],
  ['ece', fast.overall.eceCI95],
  ['calibrationSlope', fast.overall.calibrationSlopeCI95],
  ['sensitivity', fast.operatingPoint?.classes[0].sensitivityCI95],
];
let largest = 0;
for (const [key, interval] of pairs) {
  const [a, b] = interval as [number, number];
  const [c, d] = slow[key] as [number, number];
  largest = Math.max(largest, Math.abs(a - c), Math.abs(b - d));
}
console.log(`${items} items, ${resamples} resamples, two classes, every figure with its interval:`);
console.log(`  studyMetrics (weighted resamples, one sort): ${fastSeconds.toFixed(2)} s`);
console.log(
  `  reference (each resample copied and measured afresh, class 1 only): ${slowSeconds.toFixed(2)} s`,
);
console.log(`  ratio reference / studyMetrics: ${(slowSeconds / fastSeconds).toFixed(1)}x`);
console.log(`  largest difference between their interval bounds: ${largest.toExponential(2)}`);
