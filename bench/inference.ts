/**
 * Inference throughput (images/s) of (a) the built-in small CNN and (b) a
 * depth-3 U-Net on 128x128x1, exported to ONNX and run by ONNX Runtime (CPU,
 * `--threads` threads) and by tf.js on the wasm backend (what `phi predict`
 * uses by default), and — in the same run, where Debian's python3-torch is
 * installed — by PyTorch CPU with the same threads; printed as ratios of
 * PyTorch's throughput. Batch 1 is `phi predict`'s case (one image at a time).
 *
 * `node bin/run-ts.mjs bench/inference.ts [--batches 1,16] [--steps 20] [--threads 2]`
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/engine/nn/backends/select';
import { imagesPerSecond, openOnnx } from './onnx-rate';
import { smallCnn, unet } from '../src/engine/nn/networks/builtin';
import { compileSpec } from '../src/engine/nn/spec/compile';
import type { NetworkSpec } from '../src/engine/api/network-spec';
import { tf } from '../src/engine/nn/tf';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '1,16' },
    steps: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
  },
});
const batches = (values.batches as string).split(',').map(Number);
const steps = Number(values.steps);
const threads = Number(values.threads);

const nets: [string, NetworkSpec][] = [
  ['small-cnn', smallCnn()],
  ['unet', unet({ depth: 3, baseFilters: 16 })],
];

let torch: Record<string, Record<string, number>> | undefined;
if (existsSync('/usr/bin/python3')) {
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      ['bench/inference-torch.py', String(threads), batches.join(','), String(steps)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    torch = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, Record<string, number>>;
  } catch (e) {
    console.log(`PyTorch baseline unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
}

await selectBackend('wasm');
console.log(`128x128x1, images/s (ratio to PyTorch CPU ${threads} threads)`);
for (const [name, spec] of nets) {
  const { model } = compileSpec(spec, { inputShape: [128, 128, 1], vars: { classes: 2 }, seed: 1 });
  const { net: onnx, close } = await openOnnx(model, threads);
  for (const batch of batches) {
    const shape = [batch, 128, 128, 1];
    const x = Float32Array.from({ length: batch * 128 * 128 }, () => Math.random());
    const input = tf.tensor(x, shape);
    const ort = await imagesPerSecond(batch, steps, () => onnx.run(x, shape));
    const tfjs = await imagesPerSecond(batch, steps, async () => {
      const y = model.predict(input) as tf.Tensor;
      await y.data();
      y.dispose();
    });
    input.dispose();
    const base = torch?.[name]?.[String(batch)];
    const ratio = (v: number): string => (base ? ` (${(v / base).toFixed(2)}x)` : '');
    const row = (who: string, v: number, note = ''): void =>
      console.log(
        `${who.padEnd(8)} ${name.padEnd(10)} batch ${String(batch).padStart(3)} ${v.toFixed(1).padStart(8)}${note}`,
      );
    if (base) row('pytorch', base);
    row('onnx', ort, `${ratio(ort)}  ${(ort / tfjs).toFixed(2)}x tf.js wasm`);
    row('wasm', tfjs, ratio(tfjs));
  }
  await close();
  model.dispose();
}
