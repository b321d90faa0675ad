/**
 * A full disk under the output cache: `phi run` stops with one message that
 * names the cache folder, leaves no temporary file, keeps the items it wrote,
 * and the project opens afterwards. The disk is a real 2 MB tmpfs, mounted in
 * a user and mount namespace of its own (`unshare -rm`), so no root is needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { runPhi } from '../test-support/cli-io';
import { tempDir, writeClassFolders } from '../test-support/pipeline';
import { repoRoot } from '../server/build-renderer';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('stops the run with one message naming the full disk, and leaves no temporary file', async () => {
  await writeClassFolders(join(dir, 'scans'), { classes: { a: 15, b: 15 }, size: [200, 200] });
  expect(
    (await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'scans', '--task', 'classification'])).code,
  ).toBe(0);
  const cache = join(dir, 'cache');
  mkdirSync(cache, { recursive: true });
  // 30 items of 200x200x3 need about 3.6 MB: the 2 MB disk fills during the dataset node.
  const script = [
    `mount -t tmpfs -o size=2m tmpfs "${cache}"`,
    `PHI_CACHE_DIR="${cache}" "${process.execPath}" "${join(repoRoot, 'bin/phi.mjs')}" run p.phiproj --step-forward dataset`,
    'code=$?',
    `echo "tmp files: $(find "${cache}" -name '*.tmp' | wc -l)"`,
    `echo "items kept: $(find "${cache}" -name '*.bin' | wc -l)"`,
    'exit $code',
  ].join('\n');
  const run = spawnSync('unshare', ['-rm', 'sh', '-c', script], { cwd: dir, encoding: 'utf8' });
  expect(run.status).toBe(1);
  const fullLines = run.stderr.split('\n').filter((l) => /disk holding the output cache/.test(l));
  expect(fullLines).toHaveLength(1);
  expect(fullLines[0]).toMatch(
    new RegExp(
      `\\(${cache.replace(/[/.]/g, '\\$&')}\\) is full \\([\\d.]+ MB free\\): the run stopped; about [\\d.]+ MB more`,
    ),
  );
  expect(run.stderr).not.toMatch(/ENOSPC/);
  expect(run.stdout).toMatch(/tmp files: 0/);
  expect(Number(/items kept: (\d+)/.exec(run.stdout)?.[1])).toBeGreaterThan(0);
  // The project is untouched by the full cache disk and opens.
  const store = ProjectStore.open(join(dir, 'p.phiproj'));
  expect(store.graph().nodes.length).toBeGreaterThan(0);
  store.close();
});
