/**
 * Custom modules through the engine API: save (compile + register with the
 * "My" origin), use in a pipeline, and the trust gate when the project is
 * opened on a computer that has not trusted its code.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { TrustList } from '../custom';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INVERT = `export default defineModule({
  params: z.object({ top: z.number().min(1).default(255).describe('Value that black becomes') }),
  run(data, params) {
    const out = new Float32Array(data.image.data.length);
    for (let i = 0; i < out.length; i++) out[i] = params.top - data.image.data[i];
    data.image.data = out;
    return data;
  },
});`;

it('saves, runs, and gates custom modules by trust', async () => {
  await writeClassFolders(join(dir, 'data'), { classes: { a: 2, b: 2 }, size: [16, 16], channels: 1 });
  const path = join(dir, 'custom.phiproj');
  const registry = createBuiltinRegistry();
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .node('data', 'dataset', { path: 'data', splitByPatient: false })
      .build(),
  }).close();
  const mine = new Engine({
    cacheDir: join(dir, 'cache'),
    registry,
    trustList: new TrustList(join(dir, 'mine.json')),
  });
  await mine.openProject({ path });

  const template = await mine.customModuleTemplate({
    id: 'my-invert',
    title: 'My Invert',
    category: 'Intensity',
    modality: 'CT',
    dims: '2d',
    description: 'Inverts.',
    language: 'typescript',
  });
  expect(template.source).toMatch(/defineModule/);
  const broken = await mine.saveCustomModule({
    id: 'my-invert',
    title: 'My Invert',
    source: 'export default defineModule({\n  run(data) { return data +; },\n});',
  });
  expect(broken.ok).toBe(false);
  expect(broken.problems[0].line).toBe(2);

  const saved = await mine.saveCustomModule({ id: 'my-invert', title: 'My Invert', source: INVERT });
  expect(saved).toMatchObject({ ok: true, descriptor: { id: 'my-invert', origin: 'my' } });
  await mine.editGraph({
    edits: [
      {
        op: 'add-node',
        node: {
          id: 'inv',
          kind: 'module',
          type: 'my-invert',
          version: 1,
          params: { top: 255 },
          position: { x: 200, y: 0 },
        },
      },
      { op: 'add-edge', edge: { id: 'e', source: 'data', target: 'inv' } },
    ],
  });
  const result = await mine.run({ mode: 'all' });
  expect(result.ran).toEqual(['data', 'inv']);
  const files = await mine.listFiles({ node: 'inv' });
  expect(files.items[0]).toMatchObject({ dtype: 'float32', shape: [16, 16, 1] });
  await expect(mine.deleteCustomModule({ id: 'my-invert' })).rejects.toThrow(/used by inv/);
  mine.closeProject();

  // Another computer: the project's custom code does not run until trusted.
  const theirs = new Engine({
    cacheDir: join(dir, 'cache2'),
    registry: createBuiltinRegistry(),
    trustList: new TrustList(join(dir, 'theirs.json')),
  });
  const opened = await theirs.openProject({ path });
  const untrusted =
    'This project has custom code that is not trusted on this computer: "My Invert". Review it and trust it to run.';
  expect(opened.issues.find((i) => i.node === 'inv')?.message).toBe(untrusted);
  expect((await theirs.listCustomModules())[0]).toMatchObject({ id: 'my-invert', trusted: false });
  const refused = await theirs.run({ mode: 'all' });
  expect(refused.status).toBe('failed');
  // The run says the same, never "Unknown module".
  expect(refused.errors.map((e) => e.message)).toContain(untrusted);
  expect(JSON.stringify(refused)).not.toMatch(/Unknown module/);
  const trusted = await theirs.trustProject({ trusted: true });
  // What remains are the dataset's own findings (4 images leave the test split empty), not the module.
  expect(trusted.issues.filter((i) => i.severity === 'error')).toEqual([]);
  expect((await theirs.run({ mode: 'all' })).status).toBe('done');
  theirs.closeProject();
});
