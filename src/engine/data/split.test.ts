import { describe, expect, it } from 'vitest';
import { describeNodeType } from '../graph/registry';
import { datasetNodeType } from './dataset-node';
import { assignSplits, type SplitUnit } from './split';

const units = (n: number, stratum = 0): SplitUnit[] =>
  Array.from({ length: n }, (_, i) => ({ key: `item:${stratum}/${i}`, stratum, size: 1 }));

const tally = (splits: string[]): Record<string, number> =>
  splits.reduce<Record<string, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

describe('assignSplits', () => {
  it('cuts each stratum at the cumulative shares (hand-worked: 20 items at 70/15/15 -> 14/3/3)', () => {
    // Cut points 14 and 17: items whose middle (i + 0.5) falls below 14 train, below 17 validation.
    expect(tally(assignSplits(units(20), { train: 70, validation: 15, test: 15 }, 1))).toEqual({
      train: 14,
      validation: 3,
      test: 3,
    });
    const mixed = [...units(10, 0), ...units(4, 1)];
    const splits = assignSplits(mixed, { train: 50, validation: 25, test: 25 }, 3);
    expect(tally(splits.slice(0, 10))).toEqual({ train: 5, validation: 2, test: 3 });
    expect(tally(splits.slice(10))).toEqual({ train: 2, validation: 1, test: 1 });
  });

  it('normalises shares, honours zero shares, refuses all-zero', () => {
    const a = assignSplits(units(30), { train: 70, validation: 15, test: 15 }, 5);
    expect(assignSplits(units(30), { train: 7, validation: 1.5, test: 1.5 }, 5)).toEqual(a);
    expect(new Set(assignSplits(units(9), { train: 100, validation: 0, test: 0 }, 5))).toEqual(
      new Set(['train']),
    );
    expect(new Set(assignSplits(units(9), { train: 0, validation: 0, test: 1 }, 5))).toEqual(
      new Set(['test']),
    );
    expect(() => assignSplits(units(3), { train: 0, validation: 0, test: 0 }, 5)).toThrow(/add up to 0/);
  });

  it('depends on keys and seed, not on the order units are listed in', () => {
    const list = units(25);
    const forward = assignSplits(list, { train: 60, validation: 20, test: 20 }, 9);
    const reversed = assignSplits([...list].reverse(), { train: 60, validation: 20, test: 20 }, 9).reverse();
    expect(reversed).toEqual(forward);
    expect(assignSplits(list, { train: 60, validation: 20, test: 20 }, 10)).not.toEqual(forward);
  });

  it('places a whole unit by where its middle item falls', () => {
    // Hand-worked, whatever the hash order: 10 items, cut at 7 and 8.5. The 8-item patient starts
    // at 0, 1 or 2, so its middle is at 4..6 < 7: train.
    const big = { key: 'patient:big', stratum: 0, size: 8 };
    const one = (key: string): SplitUnit => ({ key, stratum: 0, size: 1 });
    for (const seed of [1, 2, 3, 4]) {
      expect(
        assignSplits(
          [big, one('patient:a'), one('patient:b')],
          { train: 70, validation: 15, test: 15 },
          seed,
        )[0],
      ).toBe('train');
      // 8 items at 30/0/70 cut at 2.4: a 6-item patient's middle is at 3..5: test.
      const six = { key: 'patient:six', stratum: 0, size: 6 };
      expect(
        assignSplits(
          [six, one('patient:a'), one('patient:b')],
          { train: 30, validation: 0, test: 70 },
          seed,
        )[0],
      ).toBe('test');
    }
  });
});

describe('dataset node descriptor', () => {
  it('serialises its params to JSON Schema with descriptions and defaults', () => {
    const d = describeNodeType(datasetNodeType);
    expect(d).toMatchObject({ id: 'dataset', kind: 'dataset', version: 1, category: 'Dataset', inputs: [] });
    const props = (d.params as { properties: Record<string, { description?: string; default?: unknown }> })
      .properties;
    expect(props.task.default).toBe('classification');
    expect(props.train.default).toBe(70);
    expect(props.splitByPatient.default).toBe(true);
    for (const [name, p] of Object.entries(props)) expect(p.description, name).toBeTruthy();
  });
});
