/**
 * Everything that decides an output is in its cache key: after a run, editing a
 * custom module's source or the version of a node type turns that node and
 * everything after it out of date, and nothing before it; a changed dataset
 * file makes the next run recompute the dataset and everything after it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { NodeState } from '../api';
import { TrustList } from '../custom';
import { NodeTypeRegistry } from '../graph/registry';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scaled = (factor: number): string => `export default defineModule({
  run(data) {
    const out = new Float32Array(data.image.data.length);
    for (let i = 0; i < out.length; i++) out[i] = data.image.data[i] * ${factor};
    data.image.data = out;
    return data;
  },
});`;

it('a code, data or version change makes the node and its dependants out of date', async () => {
  await writeClassFolders(join(dir, 'data'), { classes: { a: 3, b: 3 }, size: [16, 16], channels: 1 });
  const path = join(dir, 'keys.phiproj');
  const builtins = createBuiltinRegistry();
  ProjectStore.create(path, {
    graph: new GraphBuilder(builtins)
      .chain(['data', 'dataset', { path: 'data', splitByPatient: false }], ['flip', 'random-flip', {}])
      .build(),
  }).close();
  const engine = new Engine({
    cacheDir: join(dir, 'cache'),
    registry: builtins,
    trustList: new TrustList(join(dir, 't.json')),
    // Every snapshot looks at the dataset's files again.
    datasetRecheckMs: 0,
  });
  await engine.openProject({ path });
  expect((await engine.saveCustomModule({ id: 'my-scale', title: 'My Scale', source: scaled(2) })).ok).toBe(
    true,
  );
  await engine.editGraph({
    edits: [
      {
        op: 'add-node',
        node: {
          id: 'scale',
          kind: 'module',
          type: 'my-scale',
          version: 1,
          params: {},
          position: { x: 400, y: 0 },
        },
      },
      { op: 'add-edge', edge: { id: 'e2', source: 'flip', target: 'scale' } },
    ],
  });
  const states = async (): Promise<Record<string, NodeState>> => {
    const status = (await engine.getProject())?.status ?? {};
    return Object.fromEntries(Object.entries(status).map(([id, s]) => [id, s.state]));
  };
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  expect(await states()).toEqual({ data: 'done', flip: 'done', scale: 'done' });

  // The module's code.
  expect((await engine.saveCustomModule({ id: 'my-scale', title: 'My Scale', source: scaled(3) })).ok).toBe(
    true,
  );
  expect(await states()).toEqual({ data: 'done', flip: 'done', scale: 'stale' });
  await engine.run({ mode: 'all' });

  // A dataset file: noticed between runs, before anything runs again.
  expect(await states()).toEqual({ data: 'done', flip: 'done', scale: 'done' });
  writeFileSync(join(dir, 'data', 'a', 'a-0.png'), readFileSync(join(dir, 'data', 'b', 'b-0.png')));
  expect(await states()).toEqual({ data: 'stale', flip: 'stale', scale: 'stale' });
  // The changed file changes the dataset's key and all after it.
  const rerun = await engine.run({ mode: 'all' });
  expect(rerun.ran).toEqual(['data', 'flip', 'scale']);
  expect(await states()).toEqual({ data: 'done', flip: 'done', scale: 'done' });
  engine.closeProject();

  // The version of a node type (a newer engine changes what Random Flip does).
  const bumped = new NodeTypeRegistry();
  for (const type of builtins.all())
    bumped.register(type.id === 'random-flip' ? { ...type, version: type.version + 1 } : type);
  const newer = new Engine({
    cacheDir: join(dir, 'cache'),
    registry: bumped,
    trustList: new TrustList(join(dir, 't.json')),
  });
  await newer.openProject({ path });
  const status = (await newer.getProject())?.status ?? {};
  expect(status.data.state).toBe('done');
  expect(status.flip.state).toBe('stale');
  expect(status.scale.state).toBe('stale');
  newer.closeProject();
});
