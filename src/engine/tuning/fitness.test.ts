/** Best-epoch metrics of a trial, on hand-written epoch events. */
import { describe, expect, it } from 'vitest';
import { bestEpochOutcome, lowerIsBetter, parseMetricName, type EpochEvent } from './fitness';

const epoch = (n: number, split: 'train' | 'validation', metrics: EpochEvent['metrics']): EpochEvent => ({
  type: 'epoch',
  node: 'net',
  epoch: n,
  split,
  metrics,
});

const events: EpochEvent[] = [
  epoch(1, 'train', { loss: 0.9, accuracy: 0.55, sensitivity: [0.5, 0.6] }),
  epoch(1, 'validation', { loss: 0.8, accuracy: 0.6, macroSensitivity: 0.6 }),
  epoch(2, 'train', { loss: 0.5, accuracy: 0.8 }),
  epoch(2, 'validation', { loss: 0.7, accuracy: 0.75, macroSensitivity: null }),
  epoch(3, 'train', { loss: 0.3, accuracy: 0.9 }),
  epoch(3, 'validation', { loss: 0.72, accuracy: 0.75, macroSensitivity: 0.7 }),
];

describe('bestEpochOutcome', () => {
  it('takes the metrics of the epoch where validation accuracy peaked (the earlier of a tie)', () => {
    expect(bestEpochOutcome(events, 'validation.accuracy', 'max')).toEqual({
      score: 0.75,
      bestEpoch: 2,
      metrics: {
        'train.loss': 0.5,
        'train.accuracy': 0.8,
        'validation.loss': 0.7,
        'validation.accuracy': 0.75,
        'validation.macroSensitivity': null,
      },
    });
  });

  it('minimises a loss and leaves per-class arrays out', () => {
    const outcome = bestEpochOutcome(events, 'train.loss', 'min');
    expect(outcome.bestEpoch).toBe(3);
    expect(outcome.score).toBe(0.3);
    expect(bestEpochOutcome(events, 'train.loss', 'max').metrics).not.toHaveProperty('train.sensitivity');
  });

  it('skips NaN and null values of the optimised metric and stores non-finite metrics as null', () => {
    const diverged = [
      epoch(1, 'validation', { loss: 0.9, accuracy: 0.5 }),
      epoch(2, 'validation', { loss: Number.NaN, accuracy: Number.NaN }),
    ];
    expect(bestEpochOutcome(diverged, 'validation.loss', 'min')).toMatchObject({ bestEpoch: 1, score: 0.9 });
    const late = [...diverged, epoch(3, 'validation', { loss: Number.POSITIVE_INFINITY, accuracy: 0.7 })];
    expect(bestEpochOutcome(late, 'validation.accuracy', 'max').metrics).toEqual({
      'validation.loss': null,
      'validation.accuracy': 0.7,
    });
  });

  it('keeps the later report of a resumed epoch', () => {
    const resumed = [epoch(1, 'validation', { accuracy: 0.9 }), epoch(1, 'validation', { accuracy: 0.4 })];
    expect(bestEpochOutcome(resumed, 'validation.accuracy', 'max').score).toBe(0.4);
  });

  it('says which metrics were reported when the chosen one never was', () => {
    expect(() => bestEpochOutcome(events, 'validation.miou', 'max')).toThrow(
      'The training reported no value of validation.miou (it reported train.accuracy, train.loss, validation.accuracy, validation.loss, validation.macroSensitivity)',
    );
    expect(() => bestEpochOutcome([], 'validation.loss', 'min')).toThrow(/reported no epoch/);
  });
});

describe('metric names', () => {
  it('parses split.metric and refuses the test split and bare names', () => {
    expect(parseMetricName('validation.accuracy')).toEqual({ split: 'validation', name: 'accuracy' });
    expect(() => parseMetricName('accuracy')).toThrow(/split\.metric/);
    expect(() => parseMetricName('test.accuracy')).toThrow(/train or validation/);
  });

  it('knows which metrics are better lower', () => {
    expect(['validation.loss', 'train.mae', 'rmse'].map(lowerIsBetter)).toEqual([true, true, true]);
    expect(['validation.accuracy', 'validation.dice', 'psnr'].map(lowerIsBetter)).toEqual([
      false,
      false,
      false,
    ]);
  });
});
