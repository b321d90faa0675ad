/** The `--executor` options `phi run`, `phi predict` and `phi tune` share: refusals and defaults. */
import { describe, expect, it } from 'vitest';
import { parseSlurmOptions } from './slurm-options';

describe('parseSlurmOptions', () => {
  it('takes no cluster option with the local executor', () => {
    expect(parseSlurmOptions({ executor: 'local' })).toBeUndefined();
    expect(() => parseSlurmOptions({ executor: 'local', partition: 'gpu' })).toThrow(
      '--partition is an option of --executor slurm',
    );
    expect(() => parseSlurmOptions({ executor: 'local', shards: '3' }, ['shards'])).toThrow(
      '--shards is an option of --executor slurm',
    );
    expect(() => parseSlurmOptions({ executor: 'pbs' })).toThrow(
      '--executor must be local or slurm, not "pbs"',
    );
  });

  it("gives Slurm's defaults and refuses a time limit in another form", () => {
    expect(parseSlurmOptions({ executor: 'slurm' })).toEqual({
      resources: { maxRequeues: 2 },
      pollSeconds: 15,
      graceSeconds: 60,
    });
    expect(
      parseSlurmOptions({ executor: 'slurm', gres: 'gpu:1', time: '1-00:00:00', 'poll-seconds': '5' }),
    ).toEqual({
      resources: { gres: 'gpu:1', time: '1-00:00:00', maxRequeues: 2 },
      pollSeconds: 5,
      graceSeconds: 60,
    });
    expect(() => parseSlurmOptions({ executor: 'slurm', time: '2h' })).toThrow(
      `--time "2h": give Slurm's form, e.g. 02:00:00 or 1-00:00:00`,
    );
    expect(() => parseSlurmOptions({ executor: 'slurm', 'poll-seconds': '0' })).toThrow(
      '--poll-seconds must be at least 1',
    );
  });
});
