/**
 * The built app's path: the worker scripts written by the build step into an
 * app-like folder (out/main/workers beside node_modules), loaded through the
 * same resolution code as the engine bundle, and run for real.
 */
import { appendFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelArray } from '../api';
import { decodeValue, encodeSample } from '../custom/sample-codec';
import {
  loadSandboxSources,
  SANDBOX_PRELUDE_FILE,
  SANDBOX_WORKER_FILE,
  type SandboxSources,
} from '../custom/sandbox/bundle';
import { DEFAULT_LIMITS, Sandbox } from '../custom/sandbox/host';
import { selectBackend } from '../nn/backends/select';
import { vgg16 } from '../nn/networks/builtin';
import { GRADIENT_WORKER_FILE, loadGradientWorkerSource } from '../nn/parallel/bundle';
import type { FromWorker, GradientWorkerData, StepResult, ToWorker } from '../nn/parallel/protocol';
import { NetworkParamsSchema, resolveParams } from '../nn/params';
import { tf } from '../nn/tf';
import { computeLoss } from '../nn/train/losses';
import type { DataGeometry, Prepared } from '../nn/train/prepare';
import { buildNetwork } from '../nn/train/setup';
import { disposeTargets, inputTensor, targetTensors } from '../nn/train/tensors';
import { buildWorkerScripts } from './build';
import { WORKERS_DIR } from './prebuilt';

// Appended to each built script, so a test can tell the prebuilt text from a build from source.
const MARK = '\n// prebuilt by build.test\n';

let app: string;
let workers: string;
beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'phi-app-'));
  // As in a packaged app: node_modules at the root, the bundle under out/main/.
  await symlink(resolve('node_modules'), join(app, 'node_modules'), 'junction');
  workers = join(app, 'out', 'main', WORKERS_DIR);
  const written = await buildWorkerScripts(workers);
  expect(written.sort()).toEqual([GRADIENT_WORKER_FILE, SANDBOX_PRELUDE_FILE, SANDBOX_WORKER_FILE].sort());
  for (const name of written) await appendFile(join(workers, name), MARK);
});
afterAll(async () => {
  await rm(app, { recursive: true, force: true });
});

describe('prebuilt sandbox scripts', () => {
  let sandbox: Sandbox | undefined;
  afterAll(async () => {
    await sandbox?.dispose();
  });

  it('are what the engine loads when present, and the source build otherwise', async () => {
    const prebuilt = await loadSandboxSources(workers);
    expect(prebuilt.worker).toBe(await readFile(join(workers, SANDBOX_WORKER_FILE), 'utf8'));
    expect(prebuilt.prelude).toBe(await readFile(join(workers, SANDBOX_PRELUDE_FILE), 'utf8'));
    expect(prebuilt.worker.startsWith('"use strict";')).toBe(true);
    const fromSource = await loadSandboxSources(join(app, 'nowhere'));
    expect(fromSource).toEqual({
      worker: prebuilt.worker.slice(0, -MARK.length),
      prelude: prebuilt.prelude.slice(0, -MARK.length),
    });
  });

  it('run a real custom module', async () => {
    const source = `
export default defineModule({
  run(data) {
    const out = new Float32Array(data.image.data.length);
    for (let i = 0; i < out.length; i++) out[i] = data.image.data[i] * 2;
    data.image.data = out;
    data.meta.doubled = true;
    return data;
  },
});`;
    const { code, map } = await transform(source, {
      loader: 'ts',
      format: 'iife',
      sourcemap: 'external',
      sourcefile: 'doubler.ts',
    });
    let loadedFrom: SandboxSources | undefined;
    sandbox = new Sandbox(
      { code, map, filename: 'doubler.ts', label: 'Doubler' },
      DEFAULT_LIMITS,
      async () => {
        loadedFrom = await loadSandboxSources(workers);
        return loadedFrom;
      },
    );
    const loaded = await sandbox.start();
    expect(loaded.ok).toBe(true);
    expect(loadedFrom?.worker.endsWith(MARK)).toBe(true);
    const encoded = encodeSample({
      id: 's1',
      image: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2, 1], colorMode: 'grayscale' },
      meta: {},
    });
    const reply = await sandbox.run({
      sampleId: 's1',
      sample: encoded.json,
      arrays: encoded.arrays,
      params: '{}',
      seed: 1,
      nodeId: 'n',
    });
    expect(reply.type).toBe('result');
    if (reply.type !== 'result' || reply.sample === null) throw new Error('no sample came back');
    const out = decodeValue(reply.sample, reply.arrays) as { image: { data: PixelArray }; meta: object };
    expect([...out.image.data]).toEqual([2, 4, 6, 8]);
    expect(out.meta).toEqual({ doubled: true });
  });
});

describe('the prebuilt gradient worker', () => {
  it('requires tf.js from the app root and computes the loss and gradients of a shard', async () => {
    const file = join(workers, GRADIENT_WORKER_FILE);
    const code = await loadGradientWorkerSource(workers);
    expect(code).toContain(MARK);
    expect(code).toContain(`createRequire(${JSON.stringify(file)})`);

    await selectBackend('wasm');
    const spec = vgg16({ depth: 2, width: 0.0625, dropout: 0 });
    const geometry: DataGeometry = { task: 'classification', classes: 2, inputShape: [8, 8, 1] };
    const params = resolveParams(
      NetworkParamsSchema.parse({ task: 'classification', loss: 'cross-entropy', seed: 3 }),
      'classification',
    );
    const data: GradientWorkerData = { backend: 'wasm', spec, geometry, seed: 3, params, classWeights: null };
    const shard: Prepared[] = [0, 1, 2].map((i) => ({
      id: String(i),
      x: Float32Array.from({ length: 64 }, (_, k) => ((k * 7 + i * 13) % 17) / 17),
      classIndex: i % 2,
      offset: 0,
      scale: 1,
    }));
    const model = buildNetwork(spec, geometry, 3).compiled.model;
    const weights = model.weights.map((w) => w.read().dataSync() as Float32Array);

    const worker = new Worker(code, { eval: true, workerData: data });
    try {
      const next = (): Promise<FromWorker> =>
        new Promise((done, fail) => {
          worker.once('message', done);
          worker.once('error', fail);
        });
      const ready = await next();
      expect(ready).toEqual({ type: 'ready', backend: 'wasm' });
      worker.postMessage({ type: 'step', seq: 1, weights, shard } satisfies ToWorker);
      const result = (await next()) as StepResult;
      expect(result.type).toBe('result');

      // The same shard on this thread: same loss, same gradients.
      const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const x = inputTensor(shard, geometry);
      const targets = targetTensors(shard, geometry);
      const { value, grads } = tf.variableGrads(
        () => computeLoss(params, targets, model.apply(x, { training: true }) as tf.Tensor, 2, null),
        trainable,
      );
      const loss = value.dataSync()[0];
      expect(Math.abs(result.loss - loss) / loss).toBeLessThan(1e-4);
      expect(result.grads).toHaveLength(trainable.length);
      const local = grads[trainable[0].name].dataSync() as Float32Array;
      const remote = result.grads[0];
      const diff = Math.sqrt(local.reduce((s, g, i) => s + (g - remote[i]) ** 2, 0));
      const norm = Math.sqrt(local.reduce((s, g) => s + g * g, 0));
      expect(norm).toBeGreaterThan(0);
      expect(diff / norm).toBeLessThan(1e-4);
      tf.dispose([x, value, ...Object.values(grads)]);
      disposeTargets(targets);
    } finally {
      await worker.terminate();
      model.dispose();
    }
  });
});
