/**
 * The evaluation report on small sets worked out by hand: the operating point chosen on
 * the reference set and the confusion matrix at it (two classes), the confusion matrix by
 * the largest probability and one curve per class (three classes), counts, and refusals.
 */
import { describe, expect, it } from 'vitest';
import { figureRows } from '../../api';
import { evaluationReport } from './report';

const two = (p1: number[]) => p1.map((p) => [1 - p, p]);

describe('evaluationReport', () => {
  it('two classes: threshold from the reference set, confusion matrix at it', () => {
    // Reference: Youden's J is 1 at 0.7 (both positives >= 0.7, both negatives below).
    const reference = { truth: [0, 0, 1, 1], probs: two([0.2, 0.5, 0.7, 0.9]) };
    // At 0.7: 0.8 and 0.9 are called malignant (TP 2), 0.4 is missed (FN 1), 0.1 and 0.6 are benign.
    const set = { truth: [0, 0, 1, 1, 1], probs: two([0.1, 0.6, 0.4, 0.8, 0.9]) };
    const report = evaluationReport(['benign', 'malignant'], set, reference, { seed: 3, resamples: 200 });
    expect(report.items).toBe(5);
    expect(report.counts).toEqual([2, 3]);
    expect(report.operatingSet).toEqual({ split: 'validation', items: 4, counts: [2, 2] });
    const op = report.study.operatingPoint?.classes[0];
    expect(op).toMatchObject({ classIndex: 1, threshold: 0.7, tp: 2, fp: 0, tn: 2, fn: 1 });
    expect(report.confusion).toEqual([
      [2, 0],
      [1, 2],
    ]);
    expect(report.confusionRule).toBe("malignant when p(malignant) >= 0.7000 (Youden's J on validation)");
    // AUC of the set: of 6 (positive, negative) pairs, only (0.4, 0.6) is misordered.
    expect(report.study.overall.auc).toBeCloseTo(5 / 6, 12);
    expect(report.study.settings.bootstrap).toBe(200);
    expect(report.curves).toHaveLength(1);
    expect(report.curves[0].classIndex).toBe(1);
    expect(report.curves[0].roc?.fpr[0]).toBe(0);
  });

  it('three classes: confusion by the largest probability, a curve per class, no reference', () => {
    const set = {
      truth: [0, 1, 2, 2],
      probs: [
        [0.7, 0.2, 0.1],
        [0.2, 0.5, 0.3],
        [0.1, 0.6, 0.3],
        [0.2, 0.2, 0.6],
      ],
    };
    const report = evaluationReport(['a', 'b', 'c'], set, undefined, { seed: 1, resamples: 0 });
    expect(report.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
    expect(report.confusionRule).toBe('the class of largest probability');
    expect(report.operatingSet).toBeUndefined();
    expect(report.study.operatingPoint).toBeUndefined();
    expect(report.curves.map((c) => c.classIndex)).toEqual([0, 1, 2]);
    expect(report.counts).toEqual([1, 1, 2]);
    // The printed rows give each class's one-vs-rest AUC: class a's item ranks first on p(a).
    const rows = figureRows({
      ...report,
      id: 'e',
      runId: 'r',
      node: 'net',
      source: 'test',
      model: 'full',
      createdAt: '',
    });
    expect(rows.find((r) => r.label === 'ROC AUC, a vs rest')?.value).toBe(1);
    expect(rows.map((r) => r.label)).toContain('ROC AUC, c vs rest');
  });

  it('names the most confident errors as the confusion matrix calls them, up to four of each kind', () => {
    const reference = { truth: [0, 0, 1, 1], probs: two([0.2, 0.5, 0.7, 0.9]) };
    // At the threshold 0.7: six benign items called malignant (0.7 to 0.95), one malignant missed (0.3).
    const p1 = [0.1, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.3, 0.99];
    const set = {
      truth: [0, 0, 0, 0, 0, 0, 0, 1, 1],
      probs: two(p1),
      ids: p1.map((_, i) => `item-${i}`),
    };
    const report = evaluationReport(['benign', 'malignant'], set, reference, { seed: 1, resamples: 0 });
    expect(report.confusion).toEqual([
      [1, 6],
      [1, 1],
    ]);
    expect(report.errors).toEqual([
      { id: 'item-6', truth: 0, predicted: 1, confidence: 0.95 },
      { id: 'item-5', truth: 0, predicted: 1, confidence: 0.9 },
      { id: 'item-4', truth: 0, predicted: 1, confidence: 0.85 },
      { id: 'item-3', truth: 0, predicted: 1, confidence: 0.8 },
      { id: 'item-7', truth: 1, predicted: 0, confidence: 0.7 },
    ]);
    // Items without names (an external folder) have no gallery.
    expect(
      evaluationReport(['benign', 'malignant'], { ...set, ids: undefined }, reference, {
        seed: 1,
        resamples: 0,
      }).errors,
    ).toBeUndefined();
  });

  it('refuses rows that do not match the classes or the labels', () => {
    expect(() =>
      evaluationReport(['a', 'b'], { truth: [0, 1], probs: [[0.5, 0.5]] }, undefined, { seed: 0 }),
    ).toThrow('2 labels but 1 probability rows');
    expect(() =>
      evaluationReport(['a', 'b'], { truth: [0], probs: [[0.2, 0.3, 0.5]] }, undefined, { seed: 0 }),
    ).toThrow('probability rows of 3 values for 2 classes');
  });
});
