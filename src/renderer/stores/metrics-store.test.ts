/**
 * The Output tab's data: epochs arrive per split in any order, per-class
 * metrics pick a class or their macro mean, and a 0/0 (null) stays null
 * (shown as "n/a"), never becoming 0.
 */
import { describe, expect, it } from 'vitest';
import { macroKey, meanOfNonNull } from '../../engine/api';
import { MetricsStore } from './metrics-store';
import { formatMetric, formatShape, metricLabel } from './format';

describe('NodeMetrics', () => {
  it('keeps epochs sorted and merges splits of one epoch', () => {
    const m = new MetricsStore().of('net');
    m.add(2, 'train', { loss: 0.5 });
    m.add(1, 'train', { loss: 0.9 });
    m.add(1, 'validation', { loss: 1.0 });
    m.add(2, 'validation', { loss: 0.7 });
    expect(m.rows.map((r) => r.epoch)).toEqual([1, 2]);
    expect(m.series('loss', 'train')).toEqual([
      { epoch: 1, value: 0.9 },
      { epoch: 2, value: 0.5 },
    ]);
    expect(m.series('loss', 'validation').map((p) => p.value)).toEqual([1.0, 0.7]);
  });

  it('per-class metrics: one class, the engine macro, or the mean of non-null values', () => {
    const m = new MetricsStore().of('net');
    m.add(1, 'train', { sensitivity: [0.5, null, 1], macroSensitivity: 0.75, dice: [0.2, 0.4] });
    expect(m.isPerClass('sensitivity')).toBe(true);
    expect(m.isPerClass('macroSensitivity')).toBe(false);
    expect(m.series('sensitivity', 'train', 1)).toEqual([{ epoch: 1, value: null }]);
    expect(m.series('sensitivity', 'train', 2)).toEqual([{ epoch: 1, value: 1 }]);
    expect(m.series('sensitivity', 'train')).toEqual([{ epoch: 1, value: 0.75 }]);
    // No macro key sent: mean of the non-null values, (0.2 + 0.4) / 2.
    expect(m.series('dice', 'train')[0].value).toBeCloseTo(0.3, 12);
    expect(m.keys).toEqual(['sensitivity', 'macroSensitivity', 'dice']);
  });

  it('loads a stored history, replacing what was there', () => {
    const m = new MetricsStore().of('net');
    m.add(9, 'train', { loss: 9 });
    m.load({
      classes: ['normal', 'lesion'],
      epochs: [
        { epoch: 1, split: 'train', metrics: { loss: 1, accuracy: 0.5 } },
        { epoch: 1, split: 'validation', metrics: { loss: 1.2, accuracy: null } },
      ],
    });
    expect(m.classes).toEqual(['normal', 'lesion']);
    expect(m.rows).toHaveLength(1);
    expect(m.keys).toEqual(['loss', 'accuracy']);
    expect(m.series('accuracy', 'validation')).toEqual([{ epoch: 1, value: null }]);
  });

  it('live epochs: a restart from epoch 1 replaces the curves, a resumed training appends', () => {
    const m = new MetricsStore().of('net');
    for (const e of [1, 2, 3]) {
      m.live(e, 'train', { loss: 1 / e });
      m.live(e, 'validation', { loss: 2 / e });
    }
    m.live(4, 'train', { loss: 0.2 });
    expect(m.rows.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    // The store answers a resumed run with its own epochs only: the earlier ones stay shown.
    m.load({ classes: [], epochs: [{ epoch: 4, split: 'train', metrics: { loss: 0.2 } }] });
    expect(m.rows.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    m.live(1, 'train', { loss: 0.9 });
    expect(m.rows.map((r) => r.epoch)).toEqual([1]);
    expect(m.series('loss', 'train')).toEqual([{ epoch: 1, value: 0.9 }]);
  });

  it('helpers', () => {
    expect(macroKey('ppv')).toBe('macroPpv');
    expect(meanOfNonNull([null, null])).toBeNull();
    expect(formatMetric(null)).toBe('n/a');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatShape([null, 256, 256, 1])).toBe('(None, 256, 256, 1)');
    expect(metricLabel('accuracyByClass')).toBe('Accuracy by class');
    expect(metricLabel('macroPpv')).toBe('PPV (macro)');
    expect(metricLabel('miou')).toBe('mIoU');
    expect(metricLabel('macroHd95')).toBe('HD95 mm (macro)');
  });
});
