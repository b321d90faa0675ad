/**
 * Conv3D throughput: one 3x3x3 'same' layer, forward and gradients as in a
 * network's training step (filter, and input but for a first layer), on the
 * tf.js backends named (wasm: the engine's kernels from 2-D XNNPACK
 * convolutions, backends/wasm-conv3d.ts; cpu), and — in the same run, where
 * Debian's python3-torch is installed — PyTorch CPU, printed as ratios of
 * PyTorch's throughput. Rates are per second of the process's CPU time, not
 * of wall time: both sides run on one thread by default, and CPU time stays
 * meaningful on a machine other jobs share (wall-clock rates moved 3x between
 * runs on a loaded 2-core machine).
 *
 * `node bin/run-ts.mjs bench/conv3d.ts [--backends wasm,cpu] [--steps 5] [--cpu-steps 1] [--torch-threads 1]`
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendChoice } from '../src/engine/nn/backends/select';
import { tf } from '../src/engine/nn/tf';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    steps: { type: 'string', default: '5' },
    // The cpu backend takes over a second per pass on these volumes.
    'cpu-steps': { type: 'string', default: '1' },
    // One thread like for like: the wasm backend runs these kernels on one.
    'torch-threads': { type: 'string', default: '1' },
  },
});

interface Case {
  name: string;
  batch: number;
  size: number;
  ci: number;
  co: number;
  /** Whether the input gradient is computed: not for a network's first layer, as in training. */
  inputGrad: boolean;
}

/** A first layer on a 32^3 single-channel volume, and an inner layer at 16^3. */
const cases: Case[] = [
  { name: '32^3x1->16', batch: 2, size: 32, ci: 1, co: 16, inputGrad: false },
  { name: '16^3x16->16', batch: 2, size: 16, ci: 16, co: 16, inputGrad: true },
];

/** Volumes per CPU second of forward and gradients on the current backend. */
async function measure(c: Case, steps: number): Promise<number> {
  const x = tf.randomUniform([c.batch, c.size, c.size, c.size, c.ci]) as tf.Tensor5D;
  const f = tf.randomUniform([3, 3, 3, c.ci, c.co], -0.2, 0.2) as tf.Tensor5D;
  const r = tf.randomUniform([c.batch, c.size, c.size, c.size, c.co]);
  const loss = (xx: tf.Tensor, ff: tf.Tensor): tf.Scalar =>
    tf.sum(tf.mul(tf.conv3d(xx as tf.Tensor5D, ff as tf.Tensor5D, 1, 'same'), r));
  const step = async (): Promise<void> => {
    const g = c.inputGrad ? tf.grads(loss)([x, f]) : [tf.grad((ff: tf.Tensor) => loss(x, ff))(f)];
    await Promise.all(g.map((t) => t.data()));
    tf.dispose(g);
  };
  await step();
  const t0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) await step();
  const used = process.cpuUsage(t0);
  const rate = (c.batch * steps * 1e6) / (used.user + used.system);
  tf.dispose([x, f, r]);
  return rate;
}

let torch: Record<string, number> | undefined;
if (existsSync('/usr/bin/python3')) {
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      ['bench/conv3d-torch.py', values['torch-threads'], values.steps, JSON.stringify(cases)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    torch = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, number>;
  } catch (e) {
    console.log(`PyTorch baseline unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
}
console.log(
  `Conv3D 3x3x3 'same', forward + filter (+ input) gradients, volumes per CPU second (ratio to PyTorch CPU, ${values['torch-threads']} thread(s))`,
);
const row = (who: string, c: Case, rate: number): void => {
  const base = torch?.[c.name];
  const ratio = base && who !== 'pytorch' ? ` (${(rate / base).toFixed(2)}x)` : '';
  const grads = c.inputGrad ? 'filter+input' : 'filter';
  console.log(
    `${who.padEnd(8)} ${c.name.padEnd(12)} batch ${c.batch} ${grads.padEnd(12)} ${rate.toFixed(2).padStart(8)}${ratio}`,
  );
};
if (torch) for (const c of cases) row('pytorch', c, torch[c.name]);
for (const backend of (values.backends as string).split(',')) {
  let name: string;
  try {
    name = await selectBackend(backend as BackendChoice);
  } catch (e) {
    console.log(`${backend}: unavailable (${(e as Error).message})`);
    continue;
  }
  const steps = Number(name === 'cpu' ? values['cpu-steps'] : values.steps);
  for (const c of cases) row(name, c, await measure(c, steps));
}
