import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent, Task } from '../../api';
import { NetworkParamsSchema, type NetworkParams } from '../params';
import { loadTrained, predictSample, releaseTrained } from '../predict';
import { phantomCollection, recordingContext } from '../../test-support/phantoms';
import { tf } from '../tf';
import { readCheckpointMeta } from './checkpoint';
import { prepareInput, type DataGeometry } from './prepare';
import { train } from './trainer';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'phi-nn-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  releaseTrained();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function params(task: Task, extra: Partial<NetworkParams> = {}): NetworkParams {
  return NetworkParamsSchema.parse({
    task,
    backend: 'wasm',
    baseFilters: 4,
    depth: 2,
    batchSize: 8,
    learningRate: 0.01,
    ...extra,
  });
}

type EpochEvent = Extract<EngineEvent, { type: 'epoch' }>;
const epochs = (events: EngineEvent[], split: 'train' | 'validation'): EpochEvent[] =>
  events.filter((e): e is EpochEvent => e.type === 'epoch' && e.split === split);

describe('training each task on small data', () => {
  it('trains data-parallel on wasm, and on one thread with PHI_TRAIN_THREADS=1', async () => {
    const data = phantomCollection({ task: 'classification', count: 24, size: 16 });
    const saved = process.env.PHI_TRAIN_THREADS;
    try {
      for (const threads of ['2', '1']) {
        process.env.PHI_TRAIN_THREADS = threads;
        const ctx = recordingContext(tempDir());
        const infos: string[] = [];
        ctx.log = { ...ctx.log, info: (m: string) => infos.push(m) };
        await train(data, params('classification', { epochs: 2 }), ctx);
        expect(infos.includes('Data-parallel training on 2 threads')).toBe(threads === '2');
        expect(epochs(ctx.events, 'train').map((e) => e.epoch)).toEqual([1, 2]);
      }
    } finally {
      if (saved === undefined) delete process.env.PHI_TRAIN_THREADS;
      else process.env.PHI_TRAIN_THREADS = saved;
    }
  }, 120_000);

  it.each([
    ['classification', 40, 16, 6],
    ['segmentation', 24, 16, 5],
    ['detection', 24, 32, 6],
    ['transformation', 24, 16, 5],
  ] as const)('%s: loss falls, metrics named per task, no tensor leaks', async (task, count, size, n) => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const data = phantomCollection({ task, count, size });
    const ctx = recordingContext(tempDir());
    const summary = await train(data, params(task, { epochs: n }), ctx);
    expect(summary.backend).toBe('wasm');
    expect(ctx.events.find((e) => e.type === 'backend')).toEqual({ type: 'backend', name: 'wasm' });
    const tr = epochs(ctx.events, 'train');
    expect(tr.map((e) => e.epoch)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const first = tr[0].metrics.loss as number;
    const last = tr[tr.length - 1].metrics.loss as number;
    expect(last).toBeLessThan(first);
    const val = epochs(ctx.events, 'validation')[0].metrics;
    if (task === 'classification') {
      expect(Object.keys(val)).toEqual(
        expect.arrayContaining([
          'loss',
          'accuracy',
          'accuracyByClass',
          'sensitivity',
          'specificity',
          'ppv',
          'npv',
          'dice',
          'macroSensitivity',
        ]),
      );
      expect((val.sensitivity as unknown[]).length).toBe(2);
    }
    if (task === 'segmentation') expect(val).toHaveProperty('miou');
    if (task === 'detection') expect(val).toHaveProperty('map50');
    if (task === 'transformation')
      expect(Object.keys(val)).toEqual(expect.arrayContaining(['mae', 'mse', 'rmse', 'msle', 'psnr']));
    const evaluation = ctx.events.find((e) => e.type === 'evaluation');
    expect(evaluation).toBeDefined();
    if (task === 'classification' && evaluation?.type === 'evaluation') {
      const total = evaluation.confusion.flat().reduce((a, b) => a + b, 0);
      expect(total).toBe(data.items.filter((i) => i.split === 'test').length);
    }
    const progress = ctx.events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: expect.any(Number), total: expect.any(Number) });
    // The View tab's prediction for this task: probabilities + Grad-CAM, or an overlay image.
    const sample = data.samples.get('img001.png');
    if (!sample) throw new Error('fixture');
    const p = await predictSample(await loadTrained(ctx.artifactsDir), sample);
    if (task === 'classification') expect(p.gradCam?.width).toBe(size);
    else expect(p.overlay?.dataUrl).toMatch(/^data:image\/png;base64,/);
    releaseTrained();
    expect(tf.memory().numTensors).toBe(before);
    expect(ctx.warnings.filter((w) => w.includes('tensors'))).toEqual([]);
  });
});

describe('checkpoints, resume, cancel, NaN', () => {
  it('resumes from the last checkpoint and goes on from its epoch', async () => {
    const data = phantomCollection({ task: 'classification', count: 24, size: 16 });
    const dir = tempDir();
    const ctx1 = recordingContext(dir);
    await train(data, params('classification', { epochs: 2 }), ctx1);
    expect(readCheckpointMeta(join(dir, 'last.ckpt'))).toMatchObject({ epoch: 2, finished: true });
    const ctx2 = recordingContext(dir);
    const summary = await train(data, params('classification', { epochs: 4 }), ctx2);
    expect(summary.startEpoch).toBe(3);
    expect(epochs(ctx2.events, 'train').map((e) => e.epoch)).toEqual([3, 4]);
    // Finished with the same settings (a display param changed): no retraining, test evaluation only.
    const ctxSame = recordingContext(dir);
    const same = await train(data, params('classification', { epochs: 4, gradCamLayer: 'conv1' }), ctxSame);
    expect(epochs(ctxSame.events, 'train')).toEqual([]);
    expect(same.lastEpoch).toBe(4);
    expect(ctxSame.events.some((e) => e.type === 'evaluation')).toBe(true);
    // Changed params (other than epochs) start again.
    const ctx3 = recordingContext(dir);
    const fresh = await train(data, params('classification', { epochs: 1, learningRate: 0.005 }), ctx3);
    expect(fresh.startEpoch).toBe(1);
  });

  it('cancel stops between batches, keeps the last completed epoch, and a rerun resumes', async () => {
    const data = phantomCollection({ task: 'classification', count: 24, size: 16 });
    const dir = tempDir();
    const ctx = recordingContext(dir);
    const before = tf.memory().numTensors;
    const orig = ctx.emit;
    ctx.emit = (e) => {
      orig(e);
      if (e.type === 'epoch' && e.epoch === 1 && e.split === 'validation') ctx.controller.abort();
    };
    await expect(train(data, params('classification', { epochs: 3 }), ctx)).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
    expect(readCheckpointMeta(join(dir, 'last.ckpt'))).toMatchObject({ epoch: 1, finished: false });
    const again = recordingContext(dir);
    expect((await train(data, params('classification', { epochs: 3 }), again)).startEpoch).toBe(2);
  });

  it('a NaN loss stops the run with a clear message', async () => {
    const data = phantomCollection({ task: 'classification', count: 16, size: 16 });
    const first = data.samples.get('img000.png');
    if (!first) throw new Error('fixture');
    // A corrupt image (NaN pixels) poisons the forward pass. On cpu NaN propagates
    // through ReLU; XNNPACK on wasm clamps it to 0, which hides it there.
    (first.image.data as Float32Array).fill(Number.NaN);
    const ctx = recordingContext(tempDir());
    const before = tf.memory().numTensors;
    await expect(
      train(data, params('classification', { epochs: 1, normalization: 'none', backend: 'cpu' }), ctx),
    ).rejects.toThrow(/loss became NaN in epoch 1 batch \d+: lower the learning rate/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('early stopping stops after `patience` epochs without improvement', async () => {
    const data = phantomCollection({ task: 'classification', count: 24, size: 16 });
    const ctx = recordingContext(tempDir());
    // A learning rate of ~0 cannot improve the validation loss by minDelta.
    const s = await train(
      data,
      params('classification', {
        epochs: 10,
        learningRate: 1e-9,
        earlyStopping: true,
        patience: 2,
        minDelta: 0.01,
      }),
      ctx,
    );
    expect(s.stoppedEarly).toBe(true);
    expect(s.lastEpoch).toBe(3);
  });

  it("dataset-minmax scales every image by the training split's range, kept for prediction", async () => {
    const data = phantomCollection({ task: 'segmentation', count: 12, size: 16 });
    const dir = tempDir();
    await train(
      data,
      params('segmentation', { epochs: 1, normalization: 'dataset-minmax' }),
      recordingContext(dir),
    );
    const geometry = (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { geometry: DataGeometry })
      .geometry;
    let min = Infinity;
    let max = -Infinity;
    for (const s of data.samples.values())
      for (const v of s.image.data) [min, max] = [Math.min(min, v), Math.max(max, v)];
    // The range comes from the training items, so it lies within the whole collection's.
    expect(geometry.range?.[0]).toBeGreaterThanOrEqual(min);
    expect(geometry.range?.[1]).toBeLessThanOrEqual(max);
    expect(geometry.range?.[1]).toBeGreaterThan(geometry.range?.[0] ?? Infinity);
    // A background-only image of faint noise stays faint instead of being stretched to [0, 1].
    const [lo, hi] = geometry.range as [number, number];
    const noise = new Float32Array(16 * 16).map((_, i) => lo + ((i % 7) / 100) * (hi - lo));
    const sample = {
      id: 'noise',
      image: { data: noise, shape: [16, 16, 1], colorMode: 'grayscale' as const },
      meta: {},
    };
    const scaled = prepareInput(sample, geometry, 'dataset-minmax').x;
    expect(Math.max(...scaled)).toBeLessThan(0.07);
    expect(Math.max(...prepareInput(sample, geometry, 'per-image-minmax').x)).toBeCloseTo(1, 5);
  });

  it('predict gives probabilities and a Grad-CAM overlay from the best checkpoint', async () => {
    const data = phantomCollection({ task: 'classification', count: 24, size: 16 });
    const dir = tempDir();
    await train(data, params('classification', { epochs: 2 }), recordingContext(dir));
    const before = tf.memory().numTensors;
    const t = await loadTrained(dir);
    const sample = data.samples.get('img001.png');
    if (!sample) throw new Error('fixture');
    const p = await predictSample(t, sample);
    expect(p.probabilities?.length).toBe(2);
    expect(p.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p.trueClass).toBe(0);
    expect(p.gradCam?.dataUrl).toMatch(/^data:image\/png;base64,/);
    expect(p.gradCam?.width).toBe(16);
    releaseTrained();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });
});
