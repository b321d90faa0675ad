import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfusionMatrix, classMetrics, PER_CLASS_METRICS } from './confusion';
import { averagePrecision, detectionMetrics, type DetectionImage } from './detection';
import { RegressionAccumulator } from './regression';

interface ClassCase {
  name: string;
  classes: number;
  truth: number[];
  pred: number[];
  confusion: number[][];
  accuracy: number;
  [metric: string]: unknown;
}
interface RegCase {
  name: string;
  truth: number[];
  pred: number[];
  range: number;
  mae: number;
  mse: number;
  rmse: number;
  msle: number;
  psnr: number;
}
const fixtures = JSON.parse(
  readFileSync(join(__dirname, '../../../../tools/metrics-reference/fixtures.json'), 'utf8'),
) as { classification: ClassCase[]; regression: RegCase[] };

function close(got: (number | null)[], want: (number | null)[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (want[i] === null) expect(g).toBeNull();
    else expect(g).toBeCloseTo(want[i] as number, 10);
  });
}

describe('classification metrics', () => {
  it('hand-worked binary case', () => {
    // truth/pred: TP(class1)=3, FN=1, FP=2, TN=4 -> 10 items.
    const m = classMetrics([
      [4, 2],
      [1, 3],
    ]);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    close(m.perClass.sensitivity, [4 / 6, 3 / 4]);
    close(m.perClass.specificity, [3 / 4, 4 / 6]);
    close(m.perClass.ppv, [4 / 5, 3 / 5]);
    close(m.perClass.npv, [3 / 5, 4 / 5]);
    close(m.perClass.dice, [8 / 11, 6 / 9]);
    close(m.perClass.iou, [4 / 7, 3 / 6]);
    close(m.perClass.accuracyByClass, [0.7, 0.7]);
    expect(m.macro.sensitivity).toBeCloseTo((4 / 6 + 3 / 4) / 2, 12);
    expect(m.miou).toBeCloseTo((4 / 7 + 0.5) / 2, 12);
  });

  it('0/0 and classes absent from the truth are null and left out of the macro mean, never 0 or 1', () => {
    // Class 2 never occurs and is never predicted.
    const m = classMetrics([
      [2, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
    expect(m.perClass.sensitivity[2]).toBeNull();
    expect(m.perClass.ppv[2]).toBeNull();
    expect(m.perClass.dice[2]).toBeNull();
    expect(m.perClass.iou[2]).toBeNull();
    // Absent from the truth: even its defined ratios (specificity 1, accuracy 1) say nothing of it.
    for (const name of PER_CLASS_METRICS) expect(m.perClass[name][2]).toBeNull();
    expect(m.perClass.specificity[0]).toBeCloseTo(1 / 2, 12);
    expect(m.macro.sensitivity).toBeCloseTo((1 + 0.5) / 2, 12);
    // Nothing counted at all: every ratio is undefined.
    const empty = new ConfusionMatrix(2).metrics();
    expect(empty.accuracy).toBeNull();
    for (const name of PER_CLASS_METRICS) expect(empty.perClass[name]).toEqual([null, null]);
    expect(empty.macro.dice).toBeNull();
  });

  it.each(fixtures.classification)('matches scikit-learn: $name', (c) => {
    const cm = new ConfusionMatrix(c.classes);
    c.truth.forEach((t, i) => cm.add(t, c.pred[i]));
    expect(cm.counts).toEqual(c.confusion);
    const m = cm.metrics();
    expect(m.accuracy).toBeCloseTo(c.accuracy, 10);
    for (const name of PER_CLASS_METRICS) close(m.perClass[name], c[name] as (number | null)[]);
  });
});

describe('transformation metrics', () => {
  it('hand-worked case', () => {
    const acc = new RegressionAccumulator(4);
    acc.add([0, 1, 2, 3], [0, 1, 2, 5]);
    const m = acc.metrics();
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.mse).toBeCloseTo(1, 12);
    expect(m.rmse).toBeCloseTo(1, 12);
    expect(m.msle).toBeCloseTo((Math.log(4) - Math.log(6)) ** 2 / 4, 12);
    expect(m.psnr).toBeCloseTo(10 * Math.log10(16), 12);
  });

  it('MSLE is null for values <= -1 and PSNR null for a perfect match', () => {
    const acc = new RegressionAccumulator(1);
    acc.add([-2, 0], [-2, 0]);
    expect(acc.metrics().msle).toBeNull();
    expect(acc.metrics().psnr).toBeNull();
    expect(acc.metrics().mse).toBe(0);
  });

  it.each(fixtures.regression)('matches scikit-learn: $name', (c) => {
    const acc = new RegressionAccumulator(c.range);
    // Added in two parts: streaming must not change the result.
    acc.add(c.truth.slice(0, 77), c.pred.slice(0, 77));
    acc.add(c.truth.slice(77), c.pred.slice(77));
    const m = acc.metrics();
    for (const key of ['mae', 'mse', 'rmse', 'msle', 'psnr'] as const) expect(m[key]).toBeCloseTo(c[key], 8);
  });
});

describe('detection mAP (COCO 101-point)', () => {
  const box = (x: number, y: number, s: number, classIndex = 0) => ({
    xmin: x,
    ymin: y,
    xmax: x + s,
    ymax: y + s,
    classIndex,
  });

  it('hand-worked: two truths, a hit, a miss ranked between, a late hit', () => {
    // Detections by score: hit (P=1, R=0.5), false positive (P=.5), hit (P=2/3, R=1).
    // Envelope: precision 1 for recall <= 0.5 (51 points), 2/3 for 0.51..1 (50 points).
    const images: DetectionImage[] = [
      {
        truth: [box(0, 0, 10)],
        predictions: [
          { ...box(0, 0, 10), score: 0.9 },
          { ...box(50, 50, 10), score: 0.8 },
        ],
      },
      { truth: [box(20, 20, 10)], predictions: [{ ...box(21, 21, 10), score: 0.7 }] },
    ];
    expect(averagePrecision(images, 0, 0.5)).toBeCloseTo((51 * 1 + 50 * (2 / 3)) / 101, 12);
    // IoU of box(21,21,10) with box(20,20,10) is 81/119 = 0.68: a miss at 0.7 and above.
    expect(averagePrecision(images, 0, 0.7)).toBeCloseTo(51 / 101, 12);
  });

  it('a class without truth is left out; a duplicate detection counts as false positive', () => {
    const images: DetectionImage[] = [
      {
        truth: [box(0, 0, 10, 0)],
        predictions: [
          { ...box(0, 0, 10, 0), score: 0.9 },
          { ...box(0, 0, 10, 0), score: 0.8 },
          { ...box(0, 0, 10, 1), score: 0.5 },
        ],
      },
    ];
    const m = detectionMetrics(images, 2);
    expect(m.ap50).toEqual([1, null]);
    expect(m.map50).toBe(1);
    expect(m.map).toBe(1);
  });
});
