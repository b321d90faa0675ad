/**
 * Degenerate set-ups are refused before training, with one sentence that names
 * the problem and the fix, in `phi run` and as graph issues; skipped files are
 * told once per reason. Real PNG folders, the real CLI and engine.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliEngine } from '../cli/engine';
import { runPhi } from '../test-support/cli-io';
import { tempDir, writeClassFolders } from '../test-support/pipeline';
import { datasetChecks } from './checks';
import { openDataset } from './dataset-node';
import { datasetParamsSchema } from './params';
import { summarizeDataset } from './summary';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
process.env.PHI_CACHE_DIR = join(dir, 'cache');
const phi = (...argv: string[]) => runPhi(dir, argv);

const open = (root: string, params: Record<string, unknown> = {}) =>
  openDataset(root, datasetParamsSchema.parse({ path: root, ...params }));

describe('dataset checks before training', () => {
  it('refuses a one-class folder in phi run with a sentence, before any node runs', async () => {
    await writeClassFolders(join(dir, 'one'), { classes: { lesion: 12 }, size: [16, 16] });
    expect((await phi('new', 'one.phiproj', '--dataset', 'one', '--task', 'classification')).code).toBe(0);
    const run = await phi('run', 'one.phiproj');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/only one class, "lesion".*a classifier needs at least two/);
    expect(run.err).not.toMatch(/oneHot|depth must be/);
    // Refused up front: no dataset item was loaded, no epoch ran.
    expect(run.out).not.toMatch(/epoch 1/);
    expect(run.out).not.toMatch(/✔ dataset/);

    // The same sentence is a graph issue on the network and a warning on the dataset, before any run.
    const engine = createCliEngine();
    try {
      const snapshot = await engine.openProject({ path: join(dir, 'one.phiproj') });
      const network = snapshot.graph.nodes.find((n) => n.kind === 'network')?.id;
      const onNetwork = snapshot.issues.filter((i) => i.node === network && i.severity === 'error');
      expect(onNetwork.map((i) => i.message).join('\n')).toMatch(
        /cannot train on "dataset": .*only one class/,
      );
      expect(snapshot.issues.some((i) => i.node === 'dataset' && i.severity === 'warning')).toBe(true);
    } finally {
      engine.closeProject();
    }
  });

  it('refuses a label column with one value, naming the file and column it came from', async () => {
    const root = join(dir, 'one-value');
    await writeClassFolders(join(root, 'images'), { classes: { x: 10 }, size: [16, 16] });
    const rows = Array.from({ length: 10 }, (_, i) => `x-${i}.png,site${i % 2},normal`);
    writeFileSync(join(root, 'labels.csv'), ['file,site,label', ...rows].join('\n'));
    const source = await open(root);
    const error = datasetChecks(source).find((f) => f.kind === 'one-class');
    expect(error?.severity).toBe('error');
    expect(error?.message).toMatch(
      /only one class, "normal" in labels\.csv, column "label".*needs at least two/,
    );
  });

  it('makes no class of a value named only by rows whose files are missing', async () => {
    const root = join(dir, 'orphan');
    await writeClassFolders(join(root, 'images'), { classes: { cat: 6, dog: 6 }, size: [16, 16] });
    const rows = ['cat', 'dog'].flatMap((c) => Array.from({ length: 6 }, (_, i) => `${c}-${i}.png,${c}`));
    writeFileSync(join(root, 'labels.csv'), ['file,label', ...rows, 'missing.png,bird'].join('\n'));
    const summary = await summarizeDataset(await open(root), { content: false });
    expect(summary.classes).toEqual(['cat', 'dog']);
    expect(summary.rejected).toContainEqual({
      what: 'class "bird"',
      reason: 'labels.csv names it only in rows whose files are not in the dataset folder',
    });
    expect(summary.warnings.filter((w) => w.severity === 'error')).toEqual([]);
  });

  it('reports files that cannot be listed (a name that is not UTF-8, a dangling link) as skipped', async () => {
    const root = join(dir, 'unlistable');
    await writeClassFolders(root, { classes: { a: 6, b: 6 }, size: [16, 16] });
    // Latin-1 "é" (0xE9) is not valid UTF-8: a name written so by an old scanner or a USB stick.
    const latin1 = Buffer.concat([
      Buffer.from(join(root, 'a', 'caf')),
      Buffer.from([0xe9]),
      Buffer.from('.png'),
    ]);
    writeFileSync(latin1, 'x');
    symlinkSync(join(root, 'gone.png'), join(root, 'b', 'link.png'));
    const source = await open(root);
    const reasons = Object.fromEntries(source.skipped.map((s) => [s.file, s.reason]));
    expect(reasons['a/caf\uFFFD.png']).toMatch(/not valid UTF-8 text.*rename it/);
    expect(reasons['b/link.png']).toMatch(/link to something that does not exist/);
    expect(source.items).toHaveLength(12);
  });

  it('refuses a class that has no training image, and names it', async () => {
    const root = join(dir, 'presplit');
    await writeClassFolders(join(root, 'train'), { classes: { benign: 4, malignant: 4 }, size: [16, 16] });
    await writeClassFolders(join(root, 'test'), {
      classes: { benign: 2, malignant: 2, cyst: 2 },
      size: [16, 16],
    });
    const source = await open(root);
    expect(source.classes).toEqual(['benign', 'cyst', 'malignant']);
    const errors = datasetChecks(source).filter((f) => f.severity === 'error');
    expect(errors.map((e) => e.kind)).toContain('class-without-training');
    expect(errors.find((e) => e.kind === 'class-without-training')?.message).toMatch(
      /Class "cyst" has no training images.*add training images/,
    );
  });

  it('refuses an empty split and says which percentage to change', async () => {
    await writeClassFolders(join(dir, 'tiny'), { classes: { a: 1, b: 1 }, size: [16, 16] });
    const source = await open(join(dir, 'tiny'));
    const empty = datasetChecks(source).filter((f) => f.kind === 'empty-split');
    const test = empty.find((f) => f.message.startsWith('The test split'));
    expect(test).toMatchObject({ severity: 'error' });
    expect(test?.message).toMatch(
      /^The test split is empty \(2 items at 70\/15\/15%\): .*set the test percentage to 0/,
    );
    // An empty validation split is not degenerate: training validates on part of the training items.
    for (const finding of empty.filter((f) => f.message.startsWith('The validation split')))
      expect(finding.severity).toBe('warning');
    // With those percentages at 0 the same folder passes the split check.
    const trainOnly = await open(join(dir, 'tiny'), { train: 100, validation: 0, test: 0 });
    expect(datasetChecks(trainOnly).filter((f) => f.kind === 'empty-split')).toEqual([]);
  });

  it('groups skipped files by reason, and refuses a folder where most files were skipped', async () => {
    const root = join(dir, 'junk');
    await writeClassFolders(root, { classes: { a: 3, b: 3 }, size: [16, 16] });
    for (let i = 0; i < 30; i++) {
      mkdirSync(join(root, i % 2 ? 'a' : 'b'), { recursive: true });
      writeFileSync(join(root, i % 2 ? 'a' : 'b', `broken-${i}.png`), Buffer.from('not really a png'));
    }
    const source = await open(root);
    const summary = await summarizeDataset(source);
    expect(summary.skipped).toHaveLength(30);
    expect(summary.skippedByReason).toHaveLength(1);
    expect(summary.skippedByReason[0]).toMatchObject({ count: 30 });
    expect(summary.skippedByReason[0].examples).toHaveLength(3);
    const unreadable = summary.warnings.filter((w) => w.kind === 'unreadable');
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0].message).toMatch(/^30 files or rows skipped: .*\(.*broken-.*, …\)$/);
    expect(summary.warnings.find((w) => w.kind === 'mostly-skipped')).toMatchObject({ severity: 'error' });
    expect(summary.warnings.find((w) => w.kind === 'mostly-skipped')?.message).toMatch(/^30 of 36 files/);
  });

  it('warns of a class absent from the test split, and of identical pixels across splits', async () => {
    const root = join(dir, 'rare');
    await writeClassFolders(join(root, 'train'), { classes: { common: 6, rare: 2 }, size: [16, 16] });
    await writeClassFolders(join(root, 'test'), { classes: { common: 2 }, size: [16, 16] });
    const summary = await summarizeDataset(await open(root));
    expect(summary.splitSource).not.toBeNull();
    expect(summary.warnings.find((w) => w.kind === 'missing-class')?.message).toMatch(
      /The test split has no images of "rare": its test metrics are undefined \(n\/a\)/,
    );
    // writeClassFolders draws common-0 and common-1 the same way in both folders.
    const duplicate = summary.warnings.find((w) => w.kind === 'duplicate');
    expect(duplicate?.files?.join('\n')).toMatch(/common-0\.png \((train|test)\) = .*common-0\.png/);
    expect(summary.warnings.every((w) => w.severity === 'warning')).toBe(true);
  });
});
