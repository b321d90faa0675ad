/**
 * A cluster profile's queue poll interval and cap on array tasks at once:
 * their defaults (also for profiles saved before they existed), the sentences
 * that refuse values out of bounds (in the engine's save too), and how they
 * reach a job: the watcher's interval and the array's `%N`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterProfileSchema } from '../api';
import { Engine } from '../service/engine';
import { runPhi } from '../test-support/cli-io';
import { batchScript } from './batch-script';
import { ClusterProfileStore, trainingOptionsOf } from './profiles';

const dir = mkdtempSync(join(tmpdir(), 'phi-cluster-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { name: 'hpc', sharedFolder: '/cluster/projects' };
const POLL_RULE =
  'The queue poll interval must be a whole number of seconds from 1 to 600: give one, e.g. 15';
const CAP_RULE =
  'At most N jobs at once must be a whole number from 1 to 10000: give one, or leave it empty for no cap';

function refusal(extra: Record<string, unknown>): string[] {
  const parsed = ClusterProfileSchema.safeParse({ ...base, ...extra });
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
}

/** The `--array` line of the batch script a profile's jobs get. */
function arrayLine(profile: Record<string, unknown>, tasks: number): string | undefined {
  const script = batchScript({
    jobName: 'phi-test',
    logDir: '/tmp/logs',
    folders: Array.from({ length: tasks }, (_, k) => `/tmp/trial-${k}`),
    command: ['trial', 'trial.json'],
    resources: trainingOptionsOf(ClusterProfileSchema.parse({ ...base, ...profile })).resources,
  });
  return script.split('\n').find((line) => line.startsWith('#SBATCH --array='));
}

describe('a cluster profile for a shared cluster', () => {
  it('reads the queue every 15 s with no cap unless set, also for a profile saved before these fields', () => {
    const file = join(dir, 'old', 'cluster-profiles.json');
    const store = new ClusterProfileStore(join(dir, 'old'));
    expect(store.file).toBe(file);
    mkdirSync(join(dir, 'old'), { recursive: true });
    writeFileSync(file, JSON.stringify([base]));
    const [old] = store.list();
    expect([old.pollSeconds, old.maxParallel]).toEqual([15, null]);
    expect(trainingOptionsOf(old).pollSeconds).toBe(15);
    expect(arrayLine({}, 4)).toBe('#SBATCH --array=0-3');
  });

  it('passes its poll interval to the watcher and its cap to the array as %N', () => {
    const options = trainingOptionsOf(
      ClusterProfileSchema.parse({ ...base, pollSeconds: 60, maxParallel: 3 }),
    );
    expect(options.pollSeconds).toBe(60);
    expect(options.resources.maxParallel).toBe(3);
    expect(arrayLine({ maxParallel: 3 }, 8)).toBe('#SBATCH --array=0-7%3');
  });

  it('refuses values out of bounds in one sentence naming the field and the fix', () => {
    for (const pollSeconds of [0, 601, 2.5, Number.NaN, '15', null])
      expect(refusal({ pollSeconds })).toEqual([POLL_RULE]);
    for (const maxParallel of [0, -1, 10_001, 1.5, '2']) expect(refusal({ maxParallel })).toEqual([CAP_RULE]);
    expect(refusal({ pollSeconds: 1, maxParallel: 1 })).toEqual([]);
    expect(refusal({ pollSeconds: 600, maxParallel: 10_000 })).toEqual([]);
  });

  it('the engine saves a valid profile and refuses one out of bounds with the same sentence', async () => {
    const saved = process.env.PHI_CONFIG_DIR;
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    try {
      const engine = new Engine({ cacheDir: join(dir, 'cache') });
      await expect(
        engine.saveClusterProfile({ profile: { ...base, pollSeconds: 0 } as never }),
      ).rejects.toThrow(POLL_RULE);
      const settings = await engine.saveClusterProfile({
        profile: ClusterProfileSchema.parse({ ...base, pollSeconds: 30, maxParallel: 4 }),
      });
      expect(settings.profiles.map((p) => [p.name, p.pollSeconds, p.maxParallel])).toEqual([['hpc', 30, 4]]);
    } finally {
      if (saved === undefined) delete process.env.PHI_CONFIG_DIR;
      else process.env.PHI_CONFIG_DIR = saved;
    }
  });

  it('phi predict takes --max-parallel only with --executor slurm', async () => {
    const result = await runPhi(dir, [
      'predict',
      'p.phiproj',
      '--node',
      'n',
      'in',
      'out',
      '--max-parallel',
      '2',
    ]);
    expect(result.err).toContain('--max-parallel is an option of --executor slurm');
    expect(result.code).not.toBe(0);
  });
});
