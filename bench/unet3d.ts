/**
 * The 3-D U-Net (`unet3d`, base 8, depth 2, 2 classes) on the wasm backend against PyTorch CPU
 * on the same network (bench/torch_nets.py UNet3d) in the same run: Adam training steps on random
 * patches, and a whole volume predicted by sliding windows (nn/sliding-window.ts; PyTorch with the
 * same window starts), in voxels per second of CPU time (a shared machine's wall time says little;
 * bench/conv3d.ts). Then the peak RSS of the View tab's prediction path (`predictVolume`,
 * service/volume-view.ts) on a 300 x 512 x 512 int16 volume, measured in a child process
 * (`process.resourceUsage().maxRSS`). On 2 cores the network runs on the first
 * `--network-windows` windows only and the rest are given zero outputs: every full-volume
 * buffer (input, scaled input, blended output, weights, mask) is allocated and filled as in a
 * full prediction, and the network's own memory does not grow with the window count.
 *
 * `--profile` prints instead the CPU time of each wasm kernel in a training step (docs/networks.md,
 * "Conv3D on wasm").
 *
 * `node bin/run-ts.mjs bench/unet3d.ts [--patch 32] [--batch 2] [--steps 3] [--volume 64]
 *   [--overlap 0.25] [--torch-threads 1] [--rss-shape 300x512x512] [--network-windows 20] [--profile]`
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '../src/engine/nn/backends/select';
import { unet3d } from '../src/engine/nn/networks/builtin';
import { NetworkParamsSchema, resolveParams } from '../src/engine/nn/params';
import type { Trained } from '../src/engine/nn/predict';
import { slidingWindowInference } from '../src/engine/nn/sliding-window';
import { openOnnx } from './onnx-rate';
import { compileSpec } from '../src/engine/nn/spec/compile';
import { tf } from '../src/engine/nn/tf';
import { computeLoss } from '../src/engine/nn/train/losses';
import { predictVolume } from '../src/engine/service/volume-view';

const { values } = parseArgs({
  options: {
    patch: { type: 'string', default: '32' },
    batch: { type: 'string', default: '2' },
    steps: { type: 'string', default: '3' },
    volume: { type: 'string', default: '64' },
    overlap: { type: 'string', default: '0.25' },
    'torch-threads': { type: 'string', default: '1' },
    'rss-shape': { type: 'string', default: '300x512x512' },
    'network-windows': { type: 'string', default: '20' },
    /** Prints the CPU time of each wasm kernel over the training steps instead of the comparison. */
    profile: { type: 'boolean', default: false },
    /** Set in the child process that measures peak RSS. */
    'predict-volume': { type: 'boolean', default: false },
  },
});
const patch = Number(values.patch);
const batch = Number(values.batch);
const steps = Number(values.steps);
const volume = Number(values.volume);
const overlap = Number(values.overlap);
const inputShape = [patch, patch, patch, 1];

/** CPU seconds `run` takes (all threads of this process). */
async function cpuSeconds(run: () => Promise<void>): Promise<number> {
  const t0 = process.cpuUsage();
  await run();
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1e6;
}

function network(): LayersModel {
  return compileSpec(unet3d(), { inputShape, vars: { classes: 2 }, seed: 1 }).model;
}

/**
 * Wraps every kernel registered for wasm so that each call adds its CPU time
 * to its name; kernels that call other kernels (the engine's own, through
 * backends/wasm-heap.ts) count only their own part and their callees are
 * listed under their name. Returns the table, filled as kernels run.
 */
function profileKernels(): Map<string, { calls: number; seconds: number }> {
  const table = new Map<string, { calls: number; seconds: number }>();
  const nested: number[] = [];
  const callers: string[] = [];
  for (const config of tf.getKernelsForBackend('wasm')) {
    const run = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: ((args: never) => {
        const t0 = process.cpuUsage();
        nested.push(0);
        // A kernel called by another is listed under its caller's name: `Conv3D > Conv2D`.
        callers.push(config.kernelName);
        const name = callers.join(' > ');
        const out = run(args);
        callers.pop();
        const used = process.cpuUsage(t0);
        const total = (used.user + used.system) / 1e6;
        const own = total - (nested.pop() as number);
        if (nested.length) nested[nested.length - 1] += total;
        const row = table.get(name) ?? { calls: 0, seconds: 0 };
        row.calls++;
        row.seconds += own;
        table.set(name, row);
        return out;
      }) as never,
    });
  }
  return table;
}

/** The child: predicts a volume of `--rss-shape` as the View tab does and prints its peak RSS. */
async function predictForRss(): Promise<void> {
  await selectBackend('wasm');
  const [depth, height, width] = (values['rss-shape'] as string).split('x').map(Number);
  const limit = Number(values['network-windows']);
  const model = network();
  let windows = 0;
  const counted = {
    predict: (x: tf.Tensor): tf.Tensor =>
      windows++ < limit ? (model.predict(x) as tf.Tensor) : tf.zeros([...x.shape.slice(0, 4), 2]),
  };
  const data = new Int16Array(depth * height * width);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 2000) - 1000;
  const trained = {
    model: counted,
    manifest: {
      geometry: { task: 'segmentation', classes: 2, inputShape },
      params: { normalization: 'per-image-minmax' },
      classes: ['background', 'lesion'],
    },
    shapes: {},
    stamp: 'bench',
  } as unknown as Trained;
  const t0 = performance.now();
  const mask = await predictVolume(trained, {
    id: 'bench',
    image: { data, shape: [depth, height, width, 1], colorMode: 'grayscale', unit: 'raw' },
    meta: {},
  });
  console.log(
    JSON.stringify({
      maxRssKb: process.resourceUsage().maxRSS,
      windows,
      networkWindows: Math.min(windows, limit),
      voxels: mask.length,
      seconds: (performance.now() - t0) / 1000,
    }),
  );
}

async function compare(): Promise<void> {
  let torch: { train: number; infer: number; windows: number } | undefined;
  if (existsSync('/usr/bin/python3')) {
    try {
      const out = execFileSync(
        '/usr/bin/python3',
        [
          'bench/unet3d-torch.py',
          values['torch-threads'] as string,
          String(patch),
          String(batch),
          String(steps),
          String(volume),
          String(overlap),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: process.cwd() },
      );
      torch = JSON.parse(out.trim().split('\n').at(-1) as string) as typeof torch;
    } catch (e) {
      console.log(`PyTorch baseline unavailable: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const backend = await selectBackend('wasm');
  const model = network();
  const params = resolveParams(
    NetworkParamsSchema.parse({ task: 'segmentation', loss: 'cross-entropy' }),
    'segmentation',
  );
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, ...inputShape]);
  const labels = tf.randomUniform([batch, patch, patch, patch], 0, 2, 'int32');
  const oneHot = tf.cast(tf.oneHot(labels, 2), 'float32');
  const trainStep = async (): Promise<void> => {
    const loss = optimizer.minimize(
      () => computeLoss(params, { oneHot }, model.apply(x, { training: true }) as tf.Tensor, 2, null),
      true,
    ) as tf.Scalar;
    await loss.data();
    loss.dispose();
  };
  await trainStep();
  if (values.profile) {
    const table = profileKernels();
    const seconds = await cpuSeconds(async () => {
      for (let i = 0; i < steps; i++) await trainStep();
    });
    const rows = [...table].sort((a, b) => b[1].seconds - a[1].seconds);
    const inKernels = rows.reduce((sum, [, row]) => sum + row.seconds, 0);
    console.log(
      `one training step (batch ${batch} of ${patch}^3, mean of ${steps}): ${((seconds / steps) * 1000).toFixed(0)} CPU ms`,
    );
    console.log(`${'kernel'.padEnd(50)}  calls   CPU ms  share`);
    const line = (name: string, calls: string, s: number): void =>
      console.log(
        `${name.padEnd(50)} ${calls.padStart(6)} ${((s / steps) * 1000).toFixed(1).padStart(8)} ${((s / seconds) * 100).toFixed(1).padStart(5)}%`,
      );
    for (const [name, row] of rows) line(name, String(row.calls / steps), row.seconds);
    line('(outside kernels)', '', seconds - inKernels);
    return;
  }
  const trainSeconds = await cpuSeconds(async () => {
    for (let i = 0; i < steps; i++) await trainStep();
  });
  const train = (batch * patch ** 3 * steps) / trainSeconds;

  const image = new Float32Array(volume ** 3).map(() => Math.random());
  let windows = 0;
  const predict = (b: tf.Tensor): tf.Tensor => {
    windows++;
    return model.predict(b) as tf.Tensor;
  };
  const window = tf.zeros([1, ...inputShape]);
  (model.predict(window) as tf.Tensor).dispose();
  window.dispose();
  const inferSeconds = await cpuSeconds(async () => {
    await slidingWindowInference({ data: image, shape: [volume, volume, volume, 1] }, predict, {
      patchSize: [patch, patch, patch],
      overlap,
    });
  });
  const infer = volume ** 3 / inferSeconds;
  // The same trained weights exported to ONNX and run by ONNX Runtime (what `auto` picks for a 3-D U-Net).
  const { net: onnx, close: closeOnnx } = await openOnnx(model, Number(values['torch-threads']));
  await onnx.run(new Float32Array(patch ** 3), [1, ...inputShape]);
  const onnxSeconds = await cpuSeconds(async () => {
    await slidingWindowInference(
      { data: image, shape: [volume, volume, volume, 1] },
      { predict: (b, shape) => onnx.run(b, [...shape]) },
      { patchSize: [patch, patch, patch], overlap },
    );
  });
  const onnxInfer = volume ** 3 / onnxSeconds;
  await closeOnnx();
  tf.dispose([x, labels, oneHot]);
  model.dispose();
  optimizer.dispose();

  const ratio = (mine: number, theirs: number | undefined): string =>
    theirs ? ` (${(mine / theirs).toFixed(2)}x PyTorch)` : '';
  console.log(
    `3-D U-Net (base 8, depth 2, 2 classes), voxels per CPU second; PyTorch CPU on ${values['torch-threads']} thread(s)`,
  );
  console.log(`training, batch ${batch} of ${patch}^3 patches, Adam:`);
  if (torch) console.log(`  pytorch ${torch.train.toFixed(0).padStart(10)}`);
  console.log(
    `  ${backend.padEnd(7)} ${train.toFixed(0).padStart(10)}${ratio(train, torch?.train)}  (goal >= 0.3x)`,
  );
  console.log(
    `sliding-window inference, ${volume}^3 volume, ${patch}^3 windows, overlap ${overlap} (${windows} windows):`,
  );
  if (torch) console.log(`  pytorch ${torch.infer.toFixed(0).padStart(10)}`);
  console.log(
    `  ${backend.padEnd(7)} ${infer.toFixed(0).padStart(10)}${ratio(infer, torch?.infer)}  (goal >= 0.5x)`,
  );
  console.log(
    `  ${'onnx'.padEnd(7)} ${onnxInfer.toFixed(0).padStart(10)}${ratio(onnxInfer, torch?.infer)}  ONNX Runtime CPU, ${values['torch-threads']} thread(s)`,
  );

  const child = execFileSync(
    process.execPath,
    [
      'bin/run-ts.mjs',
      'bench/unet3d.ts',
      '--predict-volume',
      '--rss-shape',
      values['rss-shape'] as string,
      '--network-windows',
      values['network-windows'] as string,
      '--patch',
      String(patch),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  const rss = JSON.parse(child.trim().split('\n').at(-1) as string) as {
    maxRssKb: number;
    windows: number;
    networkWindows: number;
    seconds: number;
  };
  console.log(
    `peak RSS predicting a ${values['rss-shape']} int16 volume by sliding windows (the View tab's path): ` +
      `${(rss.maxRssKb / 1024 ** 2).toFixed(2)} GB (goal < 3 GB); ${rss.windows} windows, the network on ` +
      `${rss.networkWindows} of them, ${rss.seconds.toFixed(0)} s`,
  );
}

await (values['predict-volume'] ? predictForRss() : compare());
