/** Search requests checked against the Neural Network node's real params schema. */
import { describe, expect, it } from 'vitest';
import { NetworkParamsSchema } from '../nn/params';
import { resolveSearchSpace, SearchSpaceError, spaceSize } from './space';
import type { SearchDimension } from '../api';

const resolve = (search: SearchDimension[]) =>
  resolveSearchSpace(search, NetworkParamsSchema, 'Neural Network');
const refusal = (search: SearchDimension[]): string => {
  try {
    resolve(search);
  } catch (error) {
    expect(error).toBeInstanceOf(SearchSpaceError);
    return (error as Error).message;
  }
  throw new Error('the search was accepted');
};

describe('resolveSearchSpace', () => {
  it('turns a search over batch size, decay and optimizer into genes', () => {
    const genes = resolve([
      { param: 'batchSize', values: [8, 16, 32] },
      { param: 'decay', min: 0.5, max: 0.99 },
      { param: 'optimizer' },
      { param: 'learningRate', min: 1e-4, max: 1e-2, log: true },
      { param: 'depth', min: 1.5, max: 4.5 },
    ]);
    expect(genes).toEqual([
      { kind: 'choice', param: 'batchSize', values: [8, 16, 32] },
      { kind: 'range', param: 'decay', min: 0.5, max: 0.99, log: false, integer: false },
      { kind: 'choice', param: 'optimizer', values: ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'] },
      { kind: 'range', param: 'learningRate', min: 1e-4, max: 1e-2, log: true, integer: false },
      // depth is an integer in the schema: the range is rounded inward and stays whole.
      { kind: 'range', param: 'depth', min: 2, max: 4, log: false, integer: true },
    ]);
  });

  it('offers both values of a ticked boolean and drops repeated choices', () => {
    expect(resolve([{ param: 'earlyStopping' }])).toEqual([
      { kind: 'choice', param: 'earlyStopping', values: [false, true] },
    ]);
    expect(resolve([{ param: 'batchSize', values: [16, 16, 32] }])[0]).toEqual({
      kind: 'choice',
      param: 'batchSize',
      values: [16, 32],
    });
  });

  it('refuses a parameter the network does not have, naming it', () => {
    expect(refusal([{ param: 'momentum', values: [0.9] }])).toMatch(/no parameter "momentum"/);
  });

  it('refuses a range outside the schema bounds, naming the parameter and the bounds', () => {
    expect(refusal([{ param: 'learningRate', min: 1e-4, max: 20, log: true }])).toBe(
      'The range of "learningRate" 0.0001..20 is outside what the network allows (0 (exclusive) to 10)',
    );
    expect(refusal([{ param: 'learningRate', min: 0, max: 0.1 }])).toMatch(
      /"learningRate" 0\.\.0\.1 is outside/,
    );
    expect(refusal([{ param: 'dropout', min: 0.1, max: 0.95 }])).toMatch(/"dropout".*\(0 to 0\.9\)/);
    expect(refusal([{ param: 'batchSize', min: 0, max: 64 }])).toMatch(/"batchSize".*\(1 to 1024\)/);
  });

  it('refuses choices the schema refuses, naming the value', () => {
    expect(refusal([{ param: 'optimizer', values: ['adam', 'lion'] }])).toMatch(
      /Value 2 \("lion"\) of "optimizer"/,
    );
    expect(refusal([{ param: 'batchSize', values: [16, 12.5] }])).toMatch(/Value 2 \(12.5\) of "batchSize"/);
  });

  it('refuses malformed dimensions with a reason', () => {
    expect(refusal([{ param: 'optimizer', min: 1, max: 2 }])).toMatch(/"optimizer" is not a number/);
    expect(refusal([{ param: 'learningRate' }])).toMatch(
      /"learningRate" needs a list of values or a min..max/,
    );
    expect(refusal([{ param: 'decay', min: 0.9, max: 0.5 }])).toMatch(/empty/);
    expect(refusal([{ param: 'decay', min: 0.5 }])).toMatch(/both a finite min and a finite max/);
    expect(refusal([{ param: 'dropout', min: 0, max: 0.5, log: true }])).toMatch(/must start above 0/);
    expect(refusal([{ param: 'depth', min: 2.2, max: 2.8 }])).toMatch(/no whole number/);
    expect(refusal([{ param: 'decay', values: [0.5], min: 0.1, max: 0.9 }])).toMatch(
      /both values and a range/,
    );
    expect(refusal([{ param: 'optimizer' }, { param: 'optimizer', values: ['sgd'] }])).toMatch(
      /searched twice/,
    );
    expect(refusal([{ param: 'classWeights' }])).toMatch(/no fixed set of choices/);
    expect(refusal([{ param: 'optimizer', values: [] }])).toMatch(/lists no values/);
  });

  it('counts the genomes of a finite space', () => {
    const genes = resolve([
      { param: 'optimizer' },
      { param: 'depth', min: 1, max: 3 },
      { param: 'earlyStopping' },
    ]);
    expect(spaceSize(genes)).toBe(5 * 3 * 2);
    expect(spaceSize(resolve([{ param: 'decay', min: 0.1, max: 0.9 }]))).toBe(Infinity);
  });
});
