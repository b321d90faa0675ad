/** `phi tune` argument parsing and output formatting (pure functions). */
import { describe, expect, it } from 'vitest';
import type { TuningState } from '../../api';
import { UsageError } from '../command';
import { formatTopTable, formatTrialLine, parseSearch, parseTuneArgs } from './tune';

describe('parseSearch', () => {
  it('reads a bare name, listed values and ranges with options', () => {
    expect(parseSearch('optimizer')).toEqual({ param: 'optimizer' });
    expect(parseSearch('batchSize=8,16,32')).toEqual({ param: 'batchSize', values: [8, 16, 32] });
    expect(parseSearch('optimizer=adam, sgd')).toEqual({ param: 'optimizer', values: ['adam', 'sgd'] });
    expect(parseSearch('earlyStopping=true,false')).toEqual({
      param: 'earlyStopping',
      values: [true, false],
    });
    expect(parseSearch('learningRate=1e-4..1e-2:log')).toEqual({
      param: 'learningRate',
      min: 1e-4,
      max: 1e-2,
      log: true,
    });
    expect(parseSearch('batchSize=4..64:log:int')).toEqual({
      param: 'batchSize',
      min: 4,
      max: 64,
      log: true,
      integer: true,
    });
    expect(parseSearch('decay=.5..0.99')).toEqual({ param: 'decay', min: 0.5, max: 0.99 });
  });

  it('refuses malformed specs with a UsageError', () => {
    for (const bad of [
      '=adam',
      'lr=1e-4..',
      'lr=a..b',
      'lr=1..2..3',
      'lr=1..2:cubic',
      'batchSize=8,,16',
      '2x',
    ]) {
      expect(() => parseSearch(bad), bad).toThrow(UsageError);
    }
    expect(() => parseSearch('lr=1..2:cubic')).toThrow('unknown range option ":cubic"');
  });
});

describe('parseTuneArgs', () => {
  it('builds the request the engine takes', () => {
    const args = parseTuneArgs([
      'p.phiproj',
      '--node',
      'net',
      '--search',
      'optimizer',
      '--search',
      'learningRate=1e-4..1e-2:log',
      '--population',
      '8',
      '--generations',
      '4',
      '--seed',
      '9',
      '--apply-best',
    ]);
    expect(args).toEqual({
      project: 'p.phiproj',
      applyBest: true,
      json: false,
      request: {
        node: 'net',
        search: [{ param: 'optimizer' }, { param: 'learningRate', min: 1e-4, max: 1e-2, log: true }],
        goal: 'max',
        population: 8,
        generations: 4,
        seed: 9,
      },
    });
  });

  it('minimises a loss unless told otherwise', () => {
    const base = ['p.phiproj', '--node', 'net', '--search', 'optimizer'];
    expect(parseTuneArgs([...base, '--metric', 'validation.loss']).request.goal).toBe('min');
    expect(parseTuneArgs([...base, '--metric', 'validation.loss', '--goal', 'max']).request.goal).toBe('max');
    expect(parseTuneArgs([...base, '--metric', 'validation.dice']).request.goal).toBe('max');
    expect(parseTuneArgs([...base, '--json']).json).toBe(true);
  });

  it('reads the Slurm executor and its options, and refuses them for the local one', () => {
    const base = ['p.phiproj', '--node', 'net', '--search', 'optimizer'];
    expect(parseTuneArgs(base).slurm).toBeUndefined();
    expect(parseTuneArgs([...base, '--executor', 'slurm']).slurm).toEqual({
      resources: { maxRequeues: 2 },
      pollSeconds: 15,
      graceSeconds: 60,
    });
    const cluster = [
      ...base,
      '--executor',
      'slurm',
      '--partition',
      'gpu',
      '--max-parallel',
      '4',
      '--gres',
      'gpu:1',
      '--time',
      '02:00:00',
      '--poll-seconds',
      '5',
      '--grace-seconds',
      '30',
      '--max-requeues',
      '0',
      '--resume',
      '20261206-150000-abc123',
    ];
    expect(parseTuneArgs(cluster).slurm).toEqual({
      resources: { partition: 'gpu', maxParallel: 4, gres: 'gpu:1', time: '02:00:00', maxRequeues: 0 },
      pollSeconds: 5,
      graceSeconds: 30,
      resume: '20261206-150000-abc123',
    });
    expect(() => parseTuneArgs([...base, '--partition', 'gpu'])).toThrow(
      '--partition is an option of --executor slurm',
    );
    expect(() => parseTuneArgs([...base, '--executor', 'pbs'])).toThrow(
      '--executor must be local or slurm, not "pbs"',
    );
    expect(() => parseTuneArgs([...base, '--executor', 'slurm', '--time', '2h'])).toThrow(/--time "2h"/);
    expect(() => parseTuneArgs([...base, '--executor', 'slurm', '--max-parallel', '0'])).toThrow(
      '--max-parallel must be at least 1',
    );
    expect(() => parseTuneArgs([...base, '--executor', 'slurm', '--poll-seconds', '0'])).toThrow(
      '--poll-seconds must be at least 1',
    );
  });

  it('refuses bad usage with the reason', () => {
    const base = ['p.phiproj', '--node', 'net', '--search', 'optimizer'];
    expect(() => parseTuneArgs(['--node', 'net', '--search', 'optimizer'])).toThrow(
      'give exactly one project file',
    );
    expect(() => parseTuneArgs(['p.phiproj', '--search', 'optimizer'])).toThrow(/--node ID/);
    expect(() => parseTuneArgs(['p.phiproj', '--node', 'net'])).toThrow(/at least one --search/);
    expect(() => parseTuneArgs([...base, '--goal', 'up'])).toThrow('--goal must be max or min, not "up"');
    expect(() => parseTuneArgs([...base, '--population', '2.5'])).toThrow(
      '--population must be a whole number',
    );
    expect(() => parseTuneArgs([...base, '--population', '1'])).toThrow(UsageError);
    expect(() => parseTuneArgs([...base, '--population', '1'])).toThrow(/^--population:/);
    expect(() => parseTuneArgs([...base, '--generations', '99'])).toThrow(/^--generations:/);
  });
});

const state: TuningState = {
  node: 'net',
  metric: 'validation.accuracy',
  goal: 'max',
  running: false,
  trials: [
    {
      id: 'r-t1',
      generation: 1,
      params: { optimizer: 'sgd', learningRate: 0.001 },
      metrics: { 'validation.accuracy': 0.5 },
      score: 0.5,
      status: 'done',
    },
    {
      id: 'r-t2',
      generation: 1,
      params: { optimizer: 'adam', learningRate: 0.1 },
      metrics: {},
      score: null,
      status: 'failed',
      message: 'loss became NaN',
    },
    {
      id: 'r-t3',
      generation: 2,
      params: { optimizer: 'adam', learningRate: 0.00316 },
      metrics: { 'validation.accuracy': 0.8125 },
      score: 0.8125,
      status: 'done',
    },
  ],
  top: { 'validation.accuracy': ['r-t3', 'r-t1'] },
};

describe('formatting', () => {
  it('prints a line per trial', () => {
    expect(formatTrialLine(state.trials[2], 3, 'validation.accuracy')).toBe(
      '  trial   3  gen 2  validation.accuracy=0.8125  optimizer=adam learningRate=0.00316',
    );
    expect(formatTrialLine(state.trials[1], 2, 'validation.accuracy')).toBe(
      '  trial   2  gen 1  failed: loss became NaN  optimizer=adam learningRate=0.1',
    );
  });

  it('prints the top table with aligned columns', () => {
    expect(formatTopTable(state, 'validation.accuracy')).toBe(
      [
        'Top 2 by validation.accuracy (highest first):',
        '  #  trial  id    validation.accuracy  optimizer  learningRate',
        '  1  3      r-t3  0.8125               adam       0.00316',
        '  2  1      r-t1  0.5000               sgd        0.001',
      ].join('\n'),
    );
    expect(formatTopTable(state, 'validation.dice')).toBe('No finished trial has validation.dice.');
  });
});
