/**
 * The executor options `phi run`, `phi predict` and `phi tune` share:
 * refusals and defaults, and `--cluster NAME` reading a profile saved in the
 * user's settings folder (PHI_CONFIG_DIR) with flags overriding its fields.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterProfileSchema } from '../api';
import { ClusterProfileStore } from '../cluster/profiles';
import { runPhi } from '../test-support/cli-io';
import { parseSlurmOptions } from './slurm-options';

describe('parseSlurmOptions', () => {
  it('takes no cluster option with the local executor', () => {
    expect(parseSlurmOptions({ executor: 'local' })).toBeUndefined();
    expect(() => parseSlurmOptions({ executor: 'local', partition: 'gpu' })).toThrow(
      '--partition is an option of --executor slurm',
    );
    expect(() => parseSlurmOptions({ executor: 'local', shards: '3' }, { clusterOnly: ['shards'] })).toThrow(
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

describe('--cluster NAME', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phi-cluster-flag-'));
  const shared = join(dir, 'shared');
  const project = join(shared, 'p.phiproj');
  const savedConfig = process.env.PHI_CONFIG_DIR;
  /** The profiles' fields that become the jobs' resources, under the same names. */
  const resources = {
    partition: 'gpu',
    account: 'radiology',
    gres: 'gpu:1',
    time: '04:00:00',
    setup: ['module load nodejs/20'],
    phiCommand: '/opt/phi/bin/phi',
    maxParallel: 4,
  };
  beforeAll(() => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const store = new ClusterProfileStore();
    for (const name of ['hpc', 'lab'])
      store.save(
        ClusterProfileSchema.parse({
          name,
          sharedFolder: shared,
          ...resources,
          slurmConf: '/etc/slurm-hpc/slurm.conf',
          pollSeconds: 30,
        }),
      );
  });
  afterAll(() => {
    if (savedConfig === undefined) delete process.env.PHI_CONFIG_DIR;
    else process.env.PHI_CONFIG_DIR = savedConfig;
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes every field of the profile as the workbench does, Slurm's environment included", () => {
    const chosen = parseSlurmOptions({ cluster: 'hpc' }, { project });
    expect({ ...chosen, env: undefined }).toEqual({
      resources: { ...resources, maxRequeues: 2 },
      pollSeconds: 30,
      graceSeconds: 60,
      env: undefined,
    });
    expect(chosen?.env?.SLURM_CONF).toBe('/etc/slurm-hpc/slurm.conf');
    expect(parseSlurmOptions({ cluster: 'hpc', executor: 'slurm' }, { project })).toEqual(chosen);
  });

  it('lets each flag given beside it override that field only', () => {
    const chosen = parseSlurmOptions(
      {
        cluster: 'hpc',
        time: '00:30:00',
        partition: 'debug',
        'max-parallel': '2',
        'poll-seconds': '5',
        'grace-seconds': '10',
        'max-requeues': '0',
      },
      { clusterOnly: ['max-parallel'], project },
    );
    expect(chosen?.resources).toEqual({
      ...resources,
      partition: 'debug',
      time: '00:30:00',
      maxParallel: 2,
      maxRequeues: 0,
    });
    expect([chosen?.pollSeconds, chosen?.graceSeconds, chosen?.env?.SLURM_CONF]).toEqual([
      5,
      10,
      '/etc/slurm-hpc/slurm.conf',
    ]);
  });

  it('refuses an unknown name with the known ones, the local executor beside it, and a project outside the shared folder', () => {
    expect(() => parseSlurmOptions({ cluster: 'hcp' }, { project })).toThrow(
      'There is no cluster profile "hcp" (there are "hpc", "lab"): add it under File > Clusters.',
    );
    expect(() => parseSlurmOptions({ cluster: 'hpc', executor: 'local' }, { project })).toThrow(
      '--cluster hpc trains on that cluster and --executor local on this computer: give one of them',
    );
    const elsewhere = join(dir, 'p.phiproj');
    expect(() => parseSlurmOptions({ cluster: 'hpc' }, { project: elsewhere })).toThrow(
      `The project ${elsewhere} is not under ${shared}, the folder the nodes of cluster "hpc" share: move the project there or train on this computer`,
    );
  });

  it('is refused by phi run, phi tune and phi predict as bad usage, before any project is opened', async () => {
    const refusals = await Promise.all(
      [
        ['run', project, '--cluster', 'hcp'],
        ['tune', 'p.phiproj', '--node', 'network', '--search', 'optimizer', '--cluster', 'hcp'],
        ['predict', project, '--node', 'network', 'in', 'out', '--cluster', 'hcp'],
      ].map((argv) => runPhi(shared, argv)),
    );
    for (const [i, name] of ['run', 'tune', 'predict'].entries()) {
      expect(refusals[i].code).toBe(2);
      expect(refusals[i].err.split('\n')[0]).toBe(
        `phi ${name}: There is no cluster profile "hcp" (there are "hpc", "lab"): add it under File > Clusters.`,
      );
    }
    const outside = await runPhi(dir, ['run', 'p.phiproj', '--cluster', 'lab', '--time', '01:00:00']);
    expect(outside.code).toBe(2);
    expect(outside.err.split('\n')[0]).toBe(
      `phi run: The project ${join(dir, 'p.phiproj')} is not under ${shared}, the folder the nodes of cluster "lab" share: move the project there or train on this computer`,
    );
    // The jobs read phi predict's input folder too.
    const input = join(dir, 'scans');
    const unread = await runPhi(shared, [
      'predict',
      project,
      '--node',
      'network',
      input,
      'out',
      '--cluster',
      'lab',
    ]);
    expect(unread.code).toBe(2);
    expect(unread.err.split('\n')[0]).toBe(
      `phi predict: The input folder ${input} is not under ${shared}, the folder the nodes of cluster "lab" share: move the input folder there or run it on this computer`,
    );
  });
});
