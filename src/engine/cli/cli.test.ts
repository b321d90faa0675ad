/** `phi new` / `phi run` as a user runs them: real files, exit codes, JSON events. */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineEventSchema } from '../api';
import { tempDir, writeClassFolders } from '../test-support/pipeline';
import { parseSampleSize } from './commands/run';
import { runPhi } from '../test-support/cli-io';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
process.env.PHI_CACHE_DIR = join(dir, 'cache');
const phi = (...argv: string[]) => runPhi(dir, argv);

describe('phi new and phi run', () => {
  it('creates a runnable template and runs it, printing the shape summary', async () => {
    await writeClassFolders(join(dir, 'images'), { classes: { benign: 4, malignant: 4 }, size: [50, 40] });
    const created = await phi('new', 'study', '--dataset', 'images', '--task', 'classification');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/Created .*study\.phiproj/);

    const run = await phi('run', 'study.phiproj', '--node', 'dataset');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/dataset\s+\[40, 50, 3\] rgb uint8 x8/);
  });

  it('prints one engine event per line with --json', async () => {
    const run = await phi('run', 'study.phiproj', '--step-forward', 'resize', '--json');
    const events = run.out
      .trim()
      .split('\n')
      .map((line) => EngineEventSchema.parse(JSON.parse(line)));
    expect(events[0]).toMatchObject({ type: 'run-started', mode: 'step-forward' });
    expect(events.find((e) => e.type === 'shape' && e.node === 'color-to-grayscale')).toMatchObject({
      shape: [64, 64, 1],
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished' });
  });

  it('exits 2 on bad usage and 1 on a failed run, one error line each', async () => {
    expect((await phi('run')).code).toBe(2);
    expect((await phi('run', 'study.phiproj', '--sample', 'lots')).err).toMatch(/--sample must be a count/);
    expect((await phi('frobnicate')).code).toBe(2);
    const failed = await phi('run', 'study.phiproj', '--node', 'nope');
    expect(failed.code).toBe(1);
    const missing = await phi('run', 'missing.phiproj');
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/missing\.phiproj/);
  });

  it('parses sample sizes as counts or percentages', () => {
    expect(parseSampleSize('200')).toEqual({ count: 200 });
    expect(parseSampleSize('12.5%')).toEqual({ percent: 12.5 });
    expect(() => parseSampleSize('0')).toThrow();
    expect(() => parseSampleSize('150%')).toThrow();
  });

  it('the installed bin runs through node', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(__dirname, '../../../bin/phi.mjs'),
      '--help',
    ]);
    expect(stdout).toMatch(/Usage: phi <command>/);
    expect(stdout).toMatch(/run\s+run a project/);
  });
});
