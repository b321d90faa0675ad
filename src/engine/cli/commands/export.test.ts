/**
 * `phi export` and `phi predict --runtime onnx` on real projects: the bundled
 * example's classifier, trained here, exported to ONNX (checked by ONNX's own
 * checker, run by ONNX Runtime: the same labels and probabilities as tf.js)
 * and to TF.js layers format (reloaded by tf.loadLayersModel: the same
 * outputs); a U-Net segmentation node exported and predicted with both runtimes.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOnnx } from '../../nn/export/onnx-checker';
import { OnnxNetwork } from '../../nn/export/runtime';
import type { ExportManifest } from '../../nn/export/export';
import { NetworkParamsSchema } from '../../nn/params';
import { loadTrained, releaseTrained, type Trained } from '../../nn/predict';
import type { Sample } from '../../api';
import { decodeImage } from '../../data/readers';
import type { ModuleNodeType } from '../../graph/node-type';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { phantomCollection, recordingContext } from '../../test-support/phantoms';
import { maxAbsDifference } from '../../test-support/arrays';
import { loadTfjsFolder } from '../../test-support/tfjs-folder';
import { tf } from '../../nn/tf';
import { prepareInput } from '../../nn/train/prepare';
import { train } from '../../nn/train/trainer';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { EXAMPLE_DIR, EXAMPLE_PROJECT } from './example';

const dir = mkdtempSync(join(tmpdir(), 'phi-export-'));
const previousCache = process.env.PHI_CACHE_DIR;
process.env.PHI_CACHE_DIR = join(dir, 'cache');
afterAll(() => {
  if (previousCache === undefined) delete process.env.PHI_CACHE_DIR;
  else process.env.PHI_CACHE_DIR = previousCache;
  rmSync(dir, { recursive: true, force: true });
});
const phi = (...argv: string[]) => runPhi(dir, argv);
const project = join(dir, 'example', EXAMPLE_PROJECT);
/** `phi export` of the example's network node with `argv` after `--node network`. */
const exportNetwork = (...argv: string[]) => phi('export', project, '--node', 'network', ...argv);
const registry = createBuiltinRegistry();

/** Rows of a predictions.csv after its header: `[id, label, p...]`. */
function rows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
}

/** The example's slices in `slices/` through the node's chain and input scaling: a batch of 8 network inputs. */
async function sliceInputs(chain: ExportManifest['preprocessing'], trained: Trained): Promise<Float32Array> {
  const x = new Float32Array(8 * 64 * 64);
  const slices = readdirSync(join(dir, 'slices')).sort();
  for (const [i, file] of slices.entries()) {
    const image = await decodeImage(join(dir, 'slices', file));
    let sample: Sample = { id: file, image, meta: image.meta };
    for (const step of chain) {
      const type = registry.get(step.module) as ModuleNodeType;
      const ctx = { nodeId: step.node, rng: () => 0.5, inputs: { in: sample } };
      sample = (await type.run(sample, type.params.parse(step.params), ctx)) as Sample;
    }
    x.set(
      prepareInput(sample, trained.manifest.geometry, trained.manifest.params.normalization).x,
      i * 64 * 64,
    );
  }
  return x;
}

beforeAll(async () => {
  // The bundled example, trained for 3 of its epochs to keep the test short.
  cpSync(EXAMPLE_DIR, join(dir, 'example'), { recursive: true });
  const store = ProjectStore.open(project);
  const net = store.graph().nodes.find((n) => n.id === 'network');
  store.applyEdits([{ op: 'set-params', id: 'network', params: { ...net?.params, epochs: 3 } }]);
  store.close();
  const run = await phi('run', project);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  // Some of the example's DICOM slices of each class, for phi predict.
  mkdirSync(join(dir, 'slices'));
  for (const cls of ['lesion', 'normal'])
    for (const file of readdirSync(join(dir, 'example', 'data', cls))
      .sort()
      .slice(0, 4))
      cpSync(join(dir, 'example', 'data', cls, file), join(dir, 'slices', `${cls}-${file}`));
}, 300_000);

describe('phi export', () => {
  it("writes the example's classifier as ONNX with a manifest of its input, chain, classes and metrics", async () => {
    const done = await phi('export', project, '--node', 'network', '--format', 'onnx', 'out-onnx');
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    expect(done.out).toMatch(
      /Exported network "network" \(onnx\) to .*out-onnx: model\.onnx, manifest\.json/,
    );
    const path = join(dir, 'out-onnx', 'model.onnx');
    expect(checkOnnx(path)).toBe('8 17');

    const manifest = JSON.parse(
      readFileSync(join(dir, 'out-onnx', 'manifest.json'), 'utf8'),
    ) as ExportManifest;
    expect(manifest).toMatchObject({
      format: 'onnx',
      files: ['model.onnx', 'manifest.json'],
      task: 'classification',
      classes: ['lesion', 'normal'],
      input: { name: 'input', shape: [null, 64, 64, 1], dtype: 'float32', layout: 'NHWC' },
      output: { name: 'output', shape: [null, 2], dtype: 'float32' },
      normalization: { mode: 'none' },
      network: { architecture: 'small-cnn' },
      onnx: { opset: 17, irVersion: 8 },
    });
    expect(manifest.preprocessing.map((s) => [s.node, s.module])).toEqual([
      ['window', 'window-setting'],
      ['resize', 'resize'],
      ['grayscale', 'color-to-grayscale'],
    ]);
    expect(manifest.preprocessing[1].params).toMatchObject({ width: 64, height: 64, interpolation: 'area' });
    expect(Object.keys(manifest.training.metrics).sort()).toEqual(['test', 'train', 'validation']);
    expect(manifest.training.metrics.validation.epoch).toBe(3);
    expect(manifest.training.metrics.test).toHaveProperty('accuracy');
    const store = ProjectStore.open(project);
    const artifacts = store.artifactsPath('network');
    expect(manifest.project.cacheKey).toBe(store.nodeResults().network.cacheKey);
    store.close();
    const model = JSON.parse(readFileSync(join(artifacts, 'model.json'), 'utf8')) as { trainingKey: string };
    expect(manifest.project).toMatchObject({
      file: 'lesions.phiproj',
      node: 'network',
      trainingKey: model.trainingKey,
    });

    // ONNX Runtime and tf.js on the same inputs: the example's slices through the node's chain.
    const trained = await loadTrained(artifacts);
    const x = await sliceInputs(manifest.preprocessing, trained);
    const expected = tf.tidy(() =>
      (trained.model.predict(tf.tensor(x, [8, 64, 64, 1])) as tf.Tensor).dataSync(),
    );
    const net = await OnnxNetwork.load(path);
    const got = await net.run(x, [8, 64, 64, 1]);
    await net.release();
    releaseTrained();
    expect(maxAbsDifference(got, expected)).toBeLessThan(1e-4);
    for (let i = 0; i < 8; i++)
      expect(got[2 * i] > got[2 * i + 1]).toBe(expected[2 * i] > expected[2 * i + 1]);
  });

  it("--with-preprocessing: the graph takes the raw DICOM values and gives tf.js's outputs after the chain", async () => {
    const done = await exportNetwork('--format', 'onnx', '--with-preprocessing', 'out-pre');
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    expect(done.out).toMatch(
      /The graph applies the chain and the input scaling: its input is the raw image, float32 \[batch, 80, 80, 1\] \(NHWC\)/,
    );
    const path = join(dir, 'out-pre', 'model.onnx');
    expect(checkOnnx(path)).toBe('8 17');
    const manifest = JSON.parse(
      readFileSync(join(dir, 'out-pre', 'manifest.json'), 'utf8'),
    ) as ExportManifest;
    expect(manifest.preprocessingInGraph).toBe(true);
    expect(manifest.input.values).toMatch(/the raw image: .* stored as int16 there, at 80x80 with 1 channel/);
    expect(manifest.input.shape).toEqual([null, 80, 80, 1]);

    const store = ProjectStore.open(project);
    const trained = await loadTrained(store.artifactsPath('network'));
    store.close();
    const x = await sliceInputs(manifest.preprocessing, trained);
    const expected = tf.tidy(() =>
      (trained.model.predict(tf.tensor(x, [8, 64, 64, 1])) as tf.Tensor).dataSync(),
    );
    const net = await OnnxNetwork.load(path);
    const raw = new Float32Array(8 * 80 * 80);
    for (const [i, file] of readdirSync(join(dir, 'slices')).sort().entries())
      raw.set((await decodeImage(join(dir, 'slices', file))).data, i * 80 * 80);
    const got = await net.run(raw, [8, 80, 80, 1]);
    await net.release();
    releaseTrained();
    const worst = maxAbsDifference(got, expected);
    console.log(
      `example, raw slices through the in-graph chain: largest difference ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4);
    for (let i = 0; i < 8; i++)
      expect(got[2 * i] > got[2 * i + 1]).toBe(expected[2 * i] > expected[2 * i + 1]);

    const tfjs = await exportNetwork('--format', 'tfjs', '--with-preprocessing', 'x');
    expect(tfjs.code).toBe(2);
    expect(tfjs.err).toMatch(/--with-preprocessing builds the chain into an ONNX graph: use --format onnx/);
    // The example resizes with area, which ONNX's Resize operator (any size) has no mode for.
    const any = await exportNetwork('--format', 'onnx', '--with-preprocessing', '--any-size', 'out-any');
    expect(any.code).toBe(1);
    expect(any.err).toBe(
      'phi export: Module "resize" (resize) resizes with area, which ONNX Resize has no mode for: export without --any-size.\n',
    );
  });

  it('writes TF.js layers format that tf.loadLayersModel reads back with the same outputs', async () => {
    const done = await phi('export', project, '--node', 'network', '--format', 'tfjs', 'out-tfjs');
    expect(done.code).toBe(0);
    const out = join(dir, 'out-tfjs');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(manifest.files).toEqual(['model.json', 'group1-shard1of1.bin', 'manifest.json']);
    expect(manifest).not.toHaveProperty('onnx');
    const loaded = await loadTfjsFolder(out);
    const store = ProjectStore.open(project);
    const trained = await loadTrained(store.artifactsPath('network'));
    store.close();
    const x = tf.tensor(await sliceInputs(manifest.preprocessing, trained), [8, 64, 64, 1]);
    const a = (loaded.predict(x) as tf.Tensor).dataSync();
    const b = (trained.model.predict(x) as tf.Tensor).dataSync();
    expect(maxAbsDifference(a, b)).toBeLessThan(1e-6);
    tf.dispose([x]);
    loaded.dispose();
    releaseTrained();
  });

  it('refuses an unknown format and a node that is not a network', async () => {
    const bad = await phi('export', project, '--node', 'network', '--format', 'pt', 'out');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown format "pt": use onnx or tfjs/);
    const notNet = await phi('export', project, '--node', 'resize', '--format', 'onnx', 'out');
    expect(notNet.code).toBe(1);
    expect(notNet.err).toMatch(/"resize" is not a network node of lesions\.phiproj/);
  });
});

describe('phi predict --runtime onnx', () => {
  it("gives the example's slices the labels and probabilities of tf.js", async () => {
    const tfjs = await phi('predict', project, '--node', 'network', 'slices', 'pred-tfjs');
    const onnx = await phi(
      'predict',
      project,
      '--node',
      'network',
      '--runtime',
      'onnx',
      'slices',
      'pred-onnx',
    );
    expect(onnx.err).toBe('');
    expect([tfjs.code, onnx.code]).toEqual([0, 0]);
    expect(onnx.out).toMatch(/Predicted 8 image\(s\)/);
    const store = ProjectStore.open(project);
    const artifacts = store.artifactsPath('network');
    store.close();
    // Exported on the fly into the node's folder, and again once older than the weights.
    expect(readdirSync(artifacts)).toContain('model.onnx');
    writeFileSync(join(artifacts, 'model.onnx'), 'not a model');
    utimesSync(join(artifacts, 'model.onnx'), 0, 0);
    const again = await phi(
      'predict',
      project,
      '--node',
      'network',
      '--runtime',
      'onnx',
      'slices',
      'pred-again',
    );
    expect(again.err).toBe('');
    expect(readFileSync(join(dir, 'pred-again', 'predictions.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'pred-onnx', 'predictions.csv'), 'utf8'),
    );
    const a = rows(join(dir, 'pred-tfjs', 'predictions.csv'));
    const b = rows(join(dir, 'pred-onnx', 'predictions.csv'));
    expect(b.map((r) => r.slice(0, 2))).toEqual(a.map((r) => r.slice(0, 2)));
    expect(
      maxAbsDifference(
        b.flatMap((r) => r.slice(2).map(Number)),
        a.flatMap((r) => r.slice(2).map(Number)),
      ),
    ).toBeLessThan(1e-4);
    const auto = await phi(
      'predict',
      project,
      '--node',
      'network',
      '--runtime',
      'auto',
      'slices',
      'pred-auto',
    );
    expect(auto.out).toMatch(/Runtime: onnx \(auto: the network exports to ONNX, so ONNX Runtime runs it\)/);
    expect(readFileSync(join(dir, 'pred-auto', 'predictions.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'pred-onnx', 'predictions.csv'), 'utf8'),
    );
    const tvm = await phi('predict', project, '--node', 'network', '--runtime', 'tvm', 'slices', 'x');
    expect(tvm.code).toBe(2);
    expect(tvm.err).toMatch(/unknown runtime "tvm": use auto, tfjs, onnx/);
  });

  it('exports a trained U-Net and writes the masks tf.js writes', async () => {
    const seg = join(dir, 'seg.phiproj');
    const store = ProjectStore.create(seg, {
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
    const data = phantomCollection({ task: 'segmentation', count: 12, size: 16 });
    const params = NetworkParamsSchema.parse({
      task: 'segmentation',
      architecture: 'unet',
      backend: 'wasm',
      baseFilters: 4,
      depth: 2,
      epochs: 2,
      batchSize: 4,
    });
    await train(data, params, recordingContext(artifacts));

    const done = await phi('export', seg, '--node', 'net', '--format', 'onnx', 'seg-onnx');
    expect(done.code).toBe(0);
    expect(checkOnnx(join(dir, 'seg-onnx', 'model.onnx'))).toBe('8 17');
    const manifest = JSON.parse(
      readFileSync(join(dir, 'seg-onnx', 'manifest.json'), 'utf8'),
    ) as ExportManifest;
    expect(manifest).toMatchObject({
      task: 'segmentation',
      input: { shape: [null, 16, 16, 1] },
      output: { shape: [null, 16, 16, 2] },
    });

    // The same prepared input through both runtimes.
    const trained = await loadTrained(artifacts);
    const net = await OnnxNetwork.load(join(dir, 'seg-onnx', 'model.onnx'));
    for (const id of ['img001.png', 'img003.png']) {
      const sample = data.samples.get(id);
      if (!sample) throw new Error('fixture');
      const { x } = prepareInput(sample, trained.manifest.geometry, trained.manifest.params.normalization);
      const expected = tf.tidy(() =>
        (trained.model.predict(tf.tensor(x, [1, 16, 16, 1])) as tf.Tensor).dataSync(),
      );
      expect(maxAbsDifference(await net.run(x, [1, 16, 16, 1]), expected)).toBeLessThan(1e-4);
    }
    await net.release();
    releaseTrained();

    mkdirSync(join(dir, 'seg-in'));
    for (const id of ['img001.png', 'img003.png', 'img004.png']) {
      const s = data.samples.get(id);
      if (!s) throw new Error('fixture');
      const bytes = Uint8Array.from(s.image.data as Float32Array, (v) =>
        Math.max(0, Math.min(255, Math.round(v))),
      );
      await sharp(bytes, { raw: { width: 16, height: 16, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(dir, 'seg-in', id));
    }
    expect((await phi('predict', seg, '--node', 'net', 'seg-in', 'seg-tfjs')).code).toBe(0);
    expect((await phi('predict', seg, '--node', 'net', '--runtime', 'onnx', 'seg-in', 'seg-ort')).code).toBe(
      0,
    );
    for (const file of readdirSync(join(dir, 'seg-tfjs'))) {
      const a = await sharp(join(dir, 'seg-tfjs', file))
        .raw()
        .toBuffer();
      const b = await sharp(join(dir, 'seg-ort', file))
        .raw()
        .toBuffer();
      expect(b.equals(a)).toBe(true);
    }
  });
});
