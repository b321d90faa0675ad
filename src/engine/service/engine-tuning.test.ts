/** Auto tuning through the engine API: start, read the table, apply a trial to the network. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { EventLog, GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('tunes a network on its cached input and applies the chosen trial', async () => {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data'), { classes: { a: 8, b: 8 }, size: [16, 16], channels: 1 });
  const path = join(dir, 'tune.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        [
          'net',
          'neural-network',
          { task: 'classification', epochs: 1, batchSize: 4, baseFilters: 4, depth: 1, backend: 'cpu' },
        ],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  const log = new EventLog();
  engine.onDidEmit(log.listener);
  await engine.openProject({ path });

  await expect(
    engine.startTuning({ node: 'net', search: [{ param: 'batchSize', values: [2, 4] }] }),
  ).rejects.toThrow(/run the pipeline before it first/);
  await engine.run({ mode: 'node', node: 'data' });
  const state = await engine.startTuning({
    node: 'net',
    search: [{ param: 'batchSize', values: [2, 8] }],
    population: 2,
    generations: 1,
  });
  expect(state.trials.length).toBe(2);
  expect(log.of('trial')).toHaveLength(2);
  expect(new Set(state.trials.map((t) => t.params.batchSize))).toEqual(new Set([2, 8]));
  const best = state.top['validation.accuracy']?.[0] ?? state.trials[0].id;

  const reopened = await engine.getTuning({ node: 'net' });
  expect(reopened.trials.map((t) => t.id)).toEqual(state.trials.map((t) => t.id));
  const snapshot = await engine.applyTrial({ node: 'net', trialId: best });
  const applied = state.trials.find((t) => t.id === best);
  expect(snapshot.graph.nodes.find((n) => n.id === 'net')?.params.batchSize).toBe(applied?.params.batchSize);
  expect(snapshot.graph.nodes.find((n) => n.id === 'net')?.params.epochs).toBe(1);
  engine.closeProject();
});
