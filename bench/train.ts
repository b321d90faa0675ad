/**
 * Training and inference throughput (images/s) of (a) the built-in small CNN
 * and (b) a depth-3 U-Net on 128x128x1, on the tf.js backends available here
 * (wasm, cpu; webgpu / tensorflow where they load), and — in the same run,
 * where Debian's python3-torch is installed — the same networks in PyTorch
 * CPU with 2 threads, printed as ratios of PyTorch's throughput. Inference
 * rows also run both networks exported to ONNX in ONNX Runtime (CPU, the
 * PyTorch thread count), what the Inference runtime `auto` picks.
 *
 * `node bin/run-ts.mjs bench/train.ts [--backends wasm,cpu] [--batch 32] [--steps 5] [--torch-threads 2]`
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendChoice } from '../src/engine/nn/backends/select';
import { smallCnn, unet } from '../src/engine/nn/networks/builtin';
import { NetworkParamsSchema, resolveParams } from '../src/engine/nn/params';
import { compileSpec } from '../src/engine/nn/spec/compile';
import type { NetworkSpec } from '../src/engine/api/network-spec';
import { tf } from '../src/engine/nn/tf';
import { DataParallel } from '../src/engine/nn/parallel/data-parallel';
import { computeLoss } from '../src/engine/nn/train/losses';
import type { Prepared } from '../src/engine/nn/train/prepare';
import { imagesPerSecond, openOnnx } from './onnx-rate';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    batch: { type: 'string', default: '32' },
    // A depth-3 U-Net at batch 32 on 128x128 exceeds the wasm heap (4 GB): it trains at 8.
    'unet-batch': { type: 'string', default: '8' },
    steps: { type: 'string', default: '5' },
    'cpu-steps': { type: 'string', default: '1' },
    // The cpu backend needs minutes per step at batch 32 on 128x128: measure it on a small batch.
    'cpu-batch': { type: 'string', default: '2' },
    'torch-threads': { type: 'string', default: '2' },
    // Threads of data-parallel training on wasm (the trainer's plus workers); 1 skips that row.
    threads: { type: 'string', default: '2' },
  },
});
const batch = Number(values.batch);
const threadsArg = Number(values.threads);
const steps = Number(values.steps);

interface Rate {
  train: number;
  infer: number;
  /** Data-parallel training over `--threads` threads (wasm only). */
  trainParallel?: number;
  /** Inference with the batch split over the same threads. */
  inferParallel?: number;
}

/** Images/s of training (Adam steps) and inference of one network on the current backend. */
async function measure(
  spec: NetworkSpec,
  task: 'classification' | 'segmentation',
  n: number,
  batch: number,
  threads: number,
): Promise<Rate> {
  const { model } = compileSpec(spec, { inputShape: [128, 128, 1], vars: { classes: 2 }, seed: 1 });
  const p = resolveParams(NetworkParamsSchema.parse({ task, loss: 'cross-entropy' }), task);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, 128, 128, 1]);
  const labels = tf.randomUniform(task === 'classification' ? [batch] : [batch, 128, 128], 0, 2, 'int32');
  const oneHot = tf.cast(tf.oneHot(labels, 2), 'float32');
  const step = async (): Promise<void> => {
    const loss = opt.minimize(
      () => computeLoss(p, { oneHot }, model.apply(x, { training: true }) as tf.Tensor, 2, null),
      true,
    ) as tf.Scalar;
    await loss.data();
    loss.dispose();
  };
  await step();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await step();
  const train = (batch * n * 1000) / (performance.now() - t0);
  let trainParallel: number | undefined;
  let inferParallel: number | undefined;
  if (threads > 1) {
    const dp = await DataParallel.start(
      threads - 1,
      {
        backend: tf.getBackend(),
        spec,
        geometry: { task, classes: 2, inputShape: [128, 128, 1] },
        seed: 1,
        params: p,
        classWeights: null,
      },
      (m) => console.log(m),
    );
    if (dp) {
      const xs = (await x.data()) as Float32Array;
      const ls = (await labels.data()) as Int32Array;
      const px = 128 * 128;
      const items: Prepared[] = Array.from({ length: batch }, (_, i) => ({
        id: String(i),
        x: xs.slice(i * px, (i + 1) * px),
        ...(task === 'classification'
          ? { classIndex: ls[i] }
          : { mask: Int32Array.from(ls.subarray(i * px, (i + 1) * px)) }),
        offset: 0,
        scale: 1,
      }));
      const geo = { task, classes: 2, inputShape: [128, 128, 1] };
      const pstep = async (): Promise<void> => {
        const r = await dp.step(model, opt, items, geo);
        r.pred.dispose();
      };
      await pstep();
      t0 = performance.now();
      for (let i = 0; i < n; i++) await pstep();
      trainParallel = (batch * n * 1000) / (performance.now() - t0);
      const pinfer = async (): Promise<void> => {
        const y = await dp.predict(model, items, geo);
        await y.data();
        y.dispose();
      };
      await pinfer();
      t0 = performance.now();
      for (let i = 0; i < n; i++) await pinfer();
      inferParallel = (batch * n * 1000) / (performance.now() - t0);
      await dp.close();
    }
  }
  const infer1 = async (): Promise<void> => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
  await infer1();
  t0 = performance.now();
  for (let i = 0; i < n; i++) await infer1();
  const infer = (batch * n * 1000) / (performance.now() - t0);
  tf.dispose([x, labels, oneHot]);
  model.dispose();
  opt.dispose();
  return { train, infer, trainParallel, inferParallel };
}

const nets: [string, NetworkSpec, 'classification' | 'segmentation', number][] = [
  ['small-cnn', smallCnn(), 'classification', batch],
  ['unet-d3', unet({ depth: 3, baseFilters: 16 }), 'segmentation', Number(values['unet-batch'])],
];

let torch: Record<string, Rate> | undefined;
if (existsSync('/usr/bin/python3')) {
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      ['bench/train-torch.py', values['torch-threads'], String(batch), String(steps), values['unet-batch']],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const parsed = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, Rate>;
    torch = { 'small-cnn': parsed['small-cnn'], 'unet-d3': parsed.unet };
  } catch (e) {
    console.log(`PyTorch baseline unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
}
console.log(
  `batch ${batch} (U-Net ${values['unet-batch']}), 128x128x1, images/s (ratio to PyTorch CPU ${values['torch-threads']} threads)`,
);
if (torch)
  for (const [name] of nets)
    console.log(
      `${'pytorch'.padEnd(8)} ${name.padEnd(10)} train ${torch[name].train.toFixed(1).padStart(8)}  infer ${torch[name].infer.toFixed(1).padStart(8)}`,
    );
// ONNX Runtime inference on the same networks, batches and thread count as PyTorch's.
await selectBackend('wasm');
for (const [net, spec, , b] of nets) {
  const { model } = compileSpec(spec, { inputShape: [128, 128, 1], vars: { classes: 2 }, seed: 1 });
  const { net: onnx, close } = await openOnnx(model, Number(values['torch-threads']));
  const shape = [b, 128, 128, 1];
  const x = Float32Array.from({ length: b * 128 * 128 }, () => Math.random());
  const infer = await imagesPerSecond(b, steps, () => onnx.run(x, shape));
  await close();
  model.dispose();
  const base = torch?.[net].infer;
  console.log(
    `${'onnx'.padEnd(8)} ${net.padEnd(10)} ${''.padEnd(15)}  infer ${infer.toFixed(1).padStart(8)}${base ? ` (${(infer / base).toFixed(2)}x)` : ''}  ONNX Runtime CPU, ${values['torch-threads']} threads`,
  );
}
for (const backend of (values.backends as string).split(',')) {
  let name: string;
  try {
    name = await selectBackend(backend as BackendChoice);
  } catch (e) {
    console.log(`${backend}: unavailable (${(e as Error).message})`);
    continue;
  }
  for (const [net, spec, task, b] of nets) {
    const cpu = name === 'cpu';
    const r = await measure(
      spec,
      task,
      cpu ? Number(values['cpu-steps']) : steps,
      cpu ? Number(values['cpu-batch']) : b,
      name === 'wasm' ? threadsArg : 1,
    );
    const ratio = (v: number, base?: number): string => (base ? ` (${(v / base).toFixed(2)}x)` : '');
    console.log(
      `${name.padEnd(8)} ${net.padEnd(10)} train ${r.train.toFixed(1).padStart(8)}${ratio(r.train, torch?.[net].train)}  infer ${r.infer.toFixed(1).padStart(8)}${ratio(r.infer, torch?.[net].infer)}`,
    );
    if (r.trainParallel !== undefined)
      console.log(
        `${`${name}x${threadsArg}`.padEnd(8)} ${net.padEnd(10)} train ${r.trainParallel.toFixed(1).padStart(8)}${ratio(r.trainParallel, torch?.[net].train)}  infer ${(r.inferParallel ?? 0).toFixed(1).padStart(8)}${ratio(r.inferParallel ?? 0, torch?.[net].infer)}  (data-parallel: train ${(r.trainParallel / r.train).toFixed(2)}x, infer ${((r.inferParallel ?? 0) / r.infer).toFixed(2)}x one thread)`,
      );
  }
}
