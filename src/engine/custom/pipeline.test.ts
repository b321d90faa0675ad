/**
 * A compiled custom module in a real pipeline, registered the way the engine
 * service will (registry.upsert): PNG dataset -> resize -> grayscale -> custom
 * invert, beside the built-in Invert as the independent reference.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../service/engine';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { compileCustomModule, type CustomModuleNodeType } from './compile';

const INVERT = `
export default defineModule({
  accepts: { colorModes: ['grayscale'] },
  run(data) {
    const pixels = data.image.data;
    if (!(pixels instanceof Uint8Array)) throw new Error('8-bit images only');
    const out = new Uint8Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) out[i] = 255 - pixels[i];
    data.image.data = out;
    return data;
  },
});
`;

let dir: string;
let engine: Engine;
let type: CustomModuleNodeType;
const ran: string[] = [];

beforeAll(async () => {
  dir = tempDir('phi-custom-pipeline-');
  const registry = createBuiltinRegistry();
  const compiled = await compileCustomModule(
    {
      id: 'my-invert',
      title: 'My invert',
      category: 'My modules',
      modality: 'any',
      dims: '2d',
      description: 'Negative of 8-bit grayscale images',
      language: 'typescript',
      source: INVERT.replace('const out', "console.log('ran'); const out"),
    },
    { onLog: (sampleId) => ran.push(sampleId) },
  );
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  type = compiled.nodeType;
  registry.upsert(type);
  await writeClassFolders(join(dir, 'data'), { classes: { cyst: 3, tumor: 2 }, size: [20, 14], channels: 3 });
  const path = join(dir, 'study.phiproj');
  const graph = new GraphBuilder(registry)
    .chain(
      ['data', 'dataset', { path: 'data', splitByPatient: false }],
      ['resize', 'resize', { width: 16, height: 12, interpolation: 'bilinear' }],
      ['gray', 'color-to-grayscale', {}],
      ['mine', 'my-invert', {}],
    )
    .node('ref', 'invert', {})
    .edge('gray', 'ref')
    .build();
  ProjectStore.create(path, { graph }).close();
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  await engine.openProject({ path });
});

afterAll(async () => {
  engine?.closeProject();
  await type?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('a custom module in a pipeline', () => {
  it('runs every sample, gives what the built-in Invert gives, and is served from cache afterwards', async () => {
    const first = await engine.run({ mode: 'all' });
    expect(first.errors).toEqual([]);
    expect(first.ran).toContain('mine');
    expect(ran).toHaveLength(5);
    const files = await engine.listFiles({ node: 'mine' });
    expect(files.total).toBe(5);
    for (const item of files.items) {
      expect(item).toMatchObject({
        shape: [12, 16, 1],
        colorMode: 'grayscale',
        dtype: 'uint8',
        state: 'done',
      });
      const mine = await engine.getImage({ node: 'mine', sampleId: item.id, size: 16 });
      const reference = await engine.getImage({ node: 'ref', sampleId: item.id, size: 16 });
      expect(mine).toEqual(reference);
      expect(mine.dataUrl).not.toBe(
        (await engine.getImage({ node: 'gray', sampleId: item.id, size: 16 })).dataUrl,
      );
    }
    const second = await engine.run({ mode: 'all' });
    expect(second.cached).toContain('mine');
    expect(second.ran).toEqual([]);
    expect(ran).toHaveLength(5);
  });

  it('is refused behind an RGB output, as its accepts declares', async () => {
    await engine.editGraph({
      edits: [
        {
          op: 'add-node',
          node: {
            id: 'mine2',
            kind: 'module',
            type: 'my-invert',
            version: 1,
            params: {},
            position: { x: 0, y: 300 },
          },
        },
      ],
    });
    const check = await engine.checkConnection({ source: 'resize', target: 'mine2' });
    expect(check.ok).toBe(false);
    expect(check.reason).toMatch(/rgb|RGB|grayscale/);
    expect(await engine.checkConnection({ source: 'gray', target: 'mine2' })).toEqual({ ok: true });
  });
});
