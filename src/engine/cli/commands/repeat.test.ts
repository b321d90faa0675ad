/**
 * `phi repeat`: the network node trained with three seeds apart from its own
 * model; every test metric's mean, SD and range across seeds as the seeds'
 * own evaluations give them, the node's model and state untouched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { RepeatResult } from '../../api';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { GraphBuilder, writeClassFolders } from '../../test-support/pipeline';

const dir = mkdtempSync(join(tmpdir(), 'phi-repeat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('trains the node with three seeds and reports each test metric across them, beside its own run', async () => {
  await writeClassFolders(join(dir, 'scans'), {
    classes: { cyst: 12, normal: 12 },
    size: [16, 16],
    channels: 1,
  });
  const path = join(dir, 'p.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(createBuiltinRegistry())
      .chain(
        ['data', 'dataset', { path: 'scans', splitByPatient: false }],
        [
          'network',
          'neural-network',
          { task: 'classification', backend: 'cpu', epochs: 2, batchSize: 8, baseFilters: 4, depth: 2 },
        ],
      )
      .build(),
  }).close();

  const json = await runPhi(dir, ['repeat', 'p.phiproj', '--node', 'network', '--seeds', '3', '--json']);
  expect(json.err).toBe('');
  expect(json.code).toBe(0);
  const result = JSON.parse(json.out) as RepeatResult;
  expect(result.seeds.map((s) => [s.seed, s.status])).toEqual([
    [42, 'done'],
    [43, 'done'],
    [44, 'done'],
  ]);
  const accuracies = result.seeds.map((s) => s.test.accuracy as number);
  const mean = accuracies.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
  expect(result.acrossSeeds.accuracy.mean).toBeCloseTo(mean, 12);
  expect(result.acrossSeeds.accuracy.sd).toBeCloseTo(sd, 12);
  expect([result.acrossSeeds.accuracy.min, result.acrossSeeds.accuracy.max]).toEqual([
    Math.min(...accuracies),
    Math.max(...accuracies),
  ]);
  expect(result.acrossSeeds.accuracy.n).toBe(3);
  // Each seed's model is its own; the node's model is not one of them.
  const own = readFileSync(join(dir, 'p.phidata', 'network', 'best.ckpt'));
  for (const s of result.seeds)
    expect(
      readFileSync(join(dir, 'p.phidata', 'network', 'repeats', `seed-${s.seed}`, 'best.ckpt')).equals(own),
    ).toBe(s.seed === 42);

  // Again: the node's run and the seeds' trainings come from their checkpoints; the table names the run and the seeds.
  const text = await runPhi(dir, ['repeat', 'p.phiproj', '--node', 'network', '--seeds', '3']);
  expect(text.err).toBe('');
  expect(text.code).toBe(0);
  expect(text.out).toMatch(/^network: 3 of 3 seeds trained \(42, 43, 44\); test split of \d+ items$/m);
  expect(text.out).toMatch(/^ {2}test metric +this run +mean ± SD +range +seeds$/m);
  expect(text.out).toMatch(/^ {2}accuracy +\d\.\d{4} +\d\.\d{4} ± \d\.\d{4} +\d\.\d{4}–\d\.\d{4} +3$/m);
});
