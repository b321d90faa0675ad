/**
 * The Auto Tuning tab's logic: starting ranges from the network's schema,
 * what a ticked row asks of the engine (and the reasons a row is refused),
 * the score curve with its best-so-far, and the top table read through the
 * engine's ids. Values are worked by hand.
 */
import { describe, expect, it } from 'vitest';
import type { Trial } from '../../engine/api';
import { fieldsOf } from './param-form';
import {
  defaultChoice,
  goalOf,
  maxTrials,
  scoreSeries,
  searchDimensions,
  searchableFields,
  topTrialsOf,
} from './tuning';

/** A slice of the network node's params schema, as `z.toJSONSchema` writes it. */
const schema = {
  type: 'object',
  properties: {
    task: { type: 'string', enum: ['classification', 'segmentation'], default: 'classification' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.003 },
    batchSize: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
    dropout: { type: 'number', minimum: 0, maximum: 0.9, default: 0.2 },
    optimizer: { type: 'string', enum: ['adam', 'sgd'], default: 'adam' },
    earlyStopping: { type: 'boolean', default: false },
    classWeights: { type: 'string', default: '' },
    seed: { type: 'integer', minimum: 0, maximum: 100, default: 42 },
  },
};
const fields = fieldsOf(schema);
const field = (name: string) => fields.find((f) => f.name === name)!;

function trial(id: string, score: number | null, metrics: Record<string, number | null> = {}): Trial {
  return {
    id,
    generation: 1,
    params: { learningRate: 0.001 },
    metrics,
    score,
    status: score === null ? 'failed' : 'done',
  };
}

describe('search rows', () => {
  it('offers numbers, enums and switches, never the task, seed or free text', () => {
    expect(searchableFields(fields).map((f) => f.name)).toEqual([
      'learningRate',
      'batchSize',
      'dropout',
      'optimizer',
      'earlyStopping',
    ]);
  });

  it('starts a rate a decade either side on a log scale, others at half to double within bounds', () => {
    expect(defaultChoice(field('learningRate'), 0.003)).toMatchObject({ min: 0.0003, max: 0.03, log: true });
    expect(defaultChoice(field('batchSize'), 16)).toMatchObject({
      min: 8,
      max: 32,
      log: false,
      integer: true,
    });
    // 0.2 doubled is 0.4, halved 0.1; 0.6 doubled (1.2) is clamped to the maximum 0.9.
    expect(defaultChoice(field('dropout'), 0.2)).toMatchObject({ min: 0.1, max: 0.4 });
    expect(defaultChoice(field('dropout'), 0.6)).toMatchObject({ min: 0.3, max: 0.9 });
    expect(defaultChoice(field('optimizer'), 'adam').values).toEqual(['adam', 'sgd']);
    expect(defaultChoice(field('earlyStopping'), false).values).toEqual([true, false]);
  });

  it('sends only ticked rows, with integer and log flags', () => {
    const choices = [
      { ...defaultChoice(field('learningRate'), 0.003), ticked: true },
      { ...defaultChoice(field('batchSize'), 16), ticked: true },
      { ...defaultChoice(field('optimizer'), 'adam'), ticked: true, values: ['sgd'] },
      { ...defaultChoice(field('dropout'), 0.2), ticked: false },
    ];
    expect(searchDimensions(fields, choices)).toEqual({
      dimensions: [
        { param: 'learningRate', min: 0.0003, max: 0.03, log: true },
        { param: 'batchSize', min: 8, max: 32, integer: true },
        { param: 'optimizer', values: ['sgd'] },
      ],
      errors: [],
    });
  });

  it('refuses empty searches, reversed or out-of-bounds ranges, log from 0 and empty choices', () => {
    expect(searchDimensions(fields, []).errors).toEqual(['Tick at least one parameter to search']);
    const bad = searchDimensions(fields, [
      { param: 'batchSize', ticked: true, min: 64, max: 8 },
      { param: 'dropout', ticked: true, min: 0, max: 0.95 },
      { param: 'learningRate', ticked: true, min: 0, max: 0.1, log: true },
      { param: 'optimizer', ticked: true, values: [] },
    ]);
    expect(bad.dimensions).toEqual([]);
    expect(bad.errors).toEqual([
      'Batch size: the minimum is above the maximum',
      'Dropout: the range leaves the allowed bounds',
      'Learning rate: a log scale needs a minimum above 0',
      'Optimizer: choose at least one value',
    ]);
  });
});

describe('results', () => {
  it('keeps the best so far per goal; a failed trial scores null and keeps the best', () => {
    const trials = [trial('a', 0.5), trial('b', 0.75), trial('c', null), trial('d', 0.6)];
    expect(scoreSeries(trials, 'max').map((p) => [p.trial, p.score, p.best])).toEqual([
      [1, 0.5, 0.5],
      [2, 0.75, 0.75],
      [3, null, 0.75],
      [4, 0.6, 0.75],
    ]);
    expect(scoreSeries(trials, 'min').map((p) => p.best)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(scoreSeries([trial('x', null)], 'max')[0].best).toBeNull();
  });

  it('reads the top table through the engine ids, best first, skipping unknown ids', () => {
    const state = {
      trials: [trial('a', 0.5), trial('b', 0.75)],
      top: { 'validation.accuracy': ['b', 'gone', 'a'] },
    };
    expect(topTrialsOf(state, 'validation.accuracy').map((t) => t.id)).toEqual(['b', 'a']);
    expect(topTrialsOf(state, 'validation.loss')).toEqual([]);
  });

  it('minimises losses and errors, maximises the rest', () => {
    expect(goalOf('validation.loss')).toBe('min');
    expect(goalOf('validation.mae')).toBe('min');
    expect(goalOf('validation.accuracy')).toBe('max');
    expect(goalOf('validation.macroDice')).toBe('max');
  });
});

describe('trial counts', () => {
  it('a search trains at most the first generation plus the non-elite of each later one', () => {
    // The genetic search's own count (docs/tuning.md): 6 x 3 gives 6 + 2 x 5.
    expect(maxTrials(6, 3)).toBe(16);
    // 4 x 3 "asks" 12 slots, but one elite per later generation is kept, not trained again.
    expect(maxTrials(4, 3)).toBe(10);
    expect(maxTrials(2, 1)).toBe(2);
  });

  it('a failed trial stays in the series with its reason', () => {
    const failed: Trial = {
      id: 'f',
      generation: 1,
      params: {},
      metrics: {},
      score: null,
      status: 'failed',
      message: 'Class weights "1,2,3": give 2 non-negative numbers',
    };
    const [point] = scoreSeries([failed], 'max');
    expect(point).toMatchObject({ trial: 1, score: null, status: 'failed', message: failed.message });
  });
});
