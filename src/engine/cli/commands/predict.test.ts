import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkParamsSchema } from '../../nn/params';
import { phantomCollection, recordingContext } from '../../test-support/phantoms';
import { train } from '../../nn/train/trainer';
import { ProjectStore } from '../../store/project-store';
import { sourceHashOf } from '../../custom/compile';
import { saveCustomModuleRecord } from '../../custom/records';
import { TrustList } from '../../custom/trust-list';
import { predictCommand } from './predict';
import { captureIo } from '../../test-support/cli-io';
import { createCliEngine } from '../engine';

const dir = mkdtempSync(join(tmpdir(), 'phi-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('phi predict', () => {
  it('runs a trained classification node on a folder and writes predictions.csv', async () => {
    const project = join(dir, 'p.phiproj');
    const store = ProjectStore.create(project, {
      graph: {
        nodes: [
          { id: 'data', kind: 'dataset', type: 'dataset', version: 1, params: {}, position: { x: 0, y: 0 } },
          {
            id: 'net',
            kind: 'network',
            type: 'neural-network',
            version: 1,
            params: {},
            position: { x: 200, y: 0 },
          },
        ],
        edges: [{ id: 'e1', source: 'data', target: 'net', targetPort: 'in' }],
      },
    });
    const artifacts = store.artifactsFor('net');
    store.close();
    const data = phantomCollection({ task: 'classification', count: 24, size: 16 });
    const params = NetworkParamsSchema.parse({
      task: 'classification',
      backend: 'wasm',
      baseFilters: 4,
      depth: 2,
      epochs: 2,
      batchSize: 8,
    });
    await train(data, params, recordingContext(artifacts));

    const input = join(dir, 'in');
    mkdirSync(input);
    for (const id of ['img000.png', 'img001.png']) {
      const s = data.samples.get(id);
      if (!s) throw new Error('fixture');
      const bytes = Uint8Array.from(s.image.data as Float32Array, (v) =>
        Math.max(0, Math.min(255, Math.round(v))),
      );
      await sharp(bytes, { raw: { width: 16, height: 16, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(input, id));
    }
    const io = captureIo(dir);
    const code = await predictCommand.run([project, '--node', 'net', 'in', 'out'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/Predicted 2 image\(s\)/);
    const rows = readFileSync(join(dir, 'out', 'predictions.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(rows[0]).toBe('id,label,p_lesion,p_normal');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['img000.png', 'img001.png']);
    for (const r of rows.slice(1)) {
      const [, label, p0, p1] = r.split(',');
      expect(['lesion', 'normal']).toContain(label);
      expect(Number(p0) + Number(p1)).toBeCloseTo(1, 4);
    }
    const bad = await predictCommand.run([project, '--node', 'data', 'in', 'out'], io);
    expect(bad).toBe(1);
    expect(io.err()).toMatch(/"data" is not a network node/);

    // The engine's request: which file failed and why, the runtime it chose; cancel stops before any file.
    const mixed = join(dir, 'in-mixed');
    mkdirSync(mixed);
    copyFileSync(join(input, 'img000.png'), join(mixed, 'img000.png'));
    writeFileSync(join(mixed, 'broken.png'), 'not a png');
    const engine = createCliEngine();
    try {
      await engine.openProject({ path: project });
      const result = await engine.predictFolder({
        node: 'net',
        input: mixed,
        output: join(dir, 'out-mixed'),
        runtime: 'auto',
      });
      expect(result.done).toBe(1);
      expect(result.failed.map((f) => f.id)).toEqual(['broken.png']);
      expect(result.failed[0].reason).not.toBe('');
      expect(['tfjs', 'onnx']).toContain(result.runtime.used);
      expect(result.runtime.reason).not.toBe('');
      const controller = new AbortController();
      controller.abort();
      const cancelled = join(dir, 'out-cancelled');
      await expect(
        engine.predictFolder({ node: 'net', input: mixed, output: cancelled }, { signal: controller.signal }),
      ).rejects.toThrow();
      expect(existsSync(join(cancelled, 'predictions.csv'))).toBe(false);
    } finally {
      engine.closeProject();
    }

    // A custom module between the dataset and the network runs once this computer trusts it.
    const skipSecond = [
      'export default defineModule({',
      "  run(data) { return data.id.includes('001') ? null : data; },",
      '});',
    ].join('\n');
    const edit = ProjectStore.open(project);
    saveCustomModuleRecord(edit, {
      id: 'my-skip',
      title: 'Skip',
      category: 'My modules',
      modality: 'any',
      dims: '2d',
      description: '',
      language: 'typescript',
      source: skipSecond,
    });
    const graph = edit.graph();
    edit.replaceGraph({
      nodes: [
        ...graph.nodes,
        { id: 'skip', kind: 'module', type: 'my-skip', version: 1, params: {}, position: { x: 100, y: 0 } },
      ],
      edges: [
        { id: 'e1', source: 'data', target: 'skip', targetPort: 'in' },
        { id: 'e2', source: 'skip', target: 'net', targetPort: 'in' },
      ],
    });
    edit.close();
    const previous = process.env.PHI_CONFIG_DIR;
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    try {
      const args = [project, '--node', 'net', 'in', 'out-custom'];
      await expect(predictCommand.run(args, io)).rejects.toThrow(
        /custom module "my-skip" of node "skip" is not trusted on this computer/,
      );
      new TrustList().trust([sourceHashOf(skipSecond)]);
      expect(await predictCommand.run(args, io)).toBe(0);
      const kept = readFileSync(join(dir, 'out-custom', 'predictions.csv'), 'utf8')
        .trim()
        .split('\n');
      expect(kept.slice(1).map((r) => r.split(',')[0])).toEqual(['img000.png']);
    } finally {
      if (previous === undefined) delete process.env.PHI_CONFIG_DIR;
      else process.env.PHI_CONFIG_DIR = previous;
    }
  });
});
