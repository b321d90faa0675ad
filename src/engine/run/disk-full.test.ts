/**
 * A full disk under the output cache or under the project: `phi run` stops
 * with one message that names the folder, leaves no temporary file, keeps what
 * it wrote, and the project opens (and runs) afterwards. The disks are real
 * tmpfs mounts in a user and mount namespace of their own (`unshare -rm`), so
 * no root is needed.
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

const phi = `"${process.execPath}" "${join(repoRoot, 'bin/phi.mjs')}"`;
const escaped = (path: string): string => path.replace(/[/.]/g, '\\$&');

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
    `PHI_CACHE_DIR="${cache}" ${phi} run p.phiproj --step-forward dataset`,
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
      `\\(${escaped(cache)}\\) is full \\([\\d.]+ [KM]B free\\): the run stopped; about [\\d.]+ [KM]B more`,
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

it('stops a training whose project disk fills with one message naming the folder, and runs once space is freed', async () => {
  const disk = join(dir, 'disk');
  const cache = join(dir, 'project-cache');
  mkdirSync(disk);
  mkdirSync(cache);
  await writeClassFolders(join(dir, 'small-scans'), { classes: { a: 12, b: 12 }, size: [32, 32] });
  // Fills the 4 MB disk up to 150 KB: the records of a run fit, the network's checkpoints do not.
  const script = [
    `mount -t tmpfs -o size=4m tmpfs "${disk}"`,
    `cp -r "${join(dir, 'small-scans')}" "${disk}/scans"`,
    `cd "${disk}"`,
    `${phi} new p.phiproj --dataset scans --task classification >/dev/null || exit 9`,
    `dd if=/dev/zero of=filler bs=1k count=$(( $(df -k . | tail -1 | awk '{print $4}') - 150 )) 2>/dev/null`,
    `PHI_CACHE_DIR="${cache}" ${phi} run p.phiproj`,
    'echo "exit: $?"',
    `echo "tmp files: $(find . -name '*.tmp' | wc -l)"`,
    'rm filler',
    `PHI_CACHE_DIR="${cache}" ${phi} run p.phiproj`,
    'echo "second exit: $?"',
  ].join('\n');
  const run = spawnSync('unshare', ['-rm', 'sh', '-c', script], { cwd: dir, encoding: 'utf8' });
  expect(run.stdout).toMatch(/^exit: 1$/m);
  const fullLines = run.stderr.split('\n').filter((l) => /^network: /.test(l));
  expect(fullLines).toHaveLength(1);
  expect(fullLines[0]).toMatch(
    new RegExp(
      `The disk holding the project \\(${escaped(disk)}[^)]*\\) is full \\(\\d+ KB free\\): the run stopped`,
    ),
  );
  expect(run.stderr).not.toMatch(/ENOSPC|database or disk is full/);
  expect(run.stdout).toMatch(/tmp files: 0/);
  expect(run.stdout).toMatch(/^second exit: 0$/m);
});
