/**
 * Cost of running a custom module in its sandbox (docs/custom-modules.md): the
 * same HU-window code run in-process (the baseline) against through the
 * sandbox worker (copy in, transfer out), per sample, for a small and a large
 * 2-D image and a 3-D volume; plus what starting a worker costs, the reason a
 * worker is kept per module rather than started per sample.
 * Run: `node bin/run-ts.mjs bench/custom-modules.ts [samples]`.
 */
import type { Sample } from '../src/engine/api';
import { compileCustomModule } from '../src/engine/custom';

const samples = Number(process.argv[2] ?? 40);

const body = `
    const pixels = data.image.data;
    const low = params.center - params.width / 2;
    const out = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) out[i] = Math.min(1, Math.max(0, (pixels[i] - low) / params.width));
    data.image.data = out;
    data.image.unit = 'normalized';
    return data;`;
const source = `export default defineModule({
  params: z.object({ center: z.number().default(40), width: z.number().default(400) }),
  run(data, params) {${body}
  },
});`;

/** The same code as a plain in-process function. */
function windowInProcess(data: Sample, params: { center: number; width: number }): Sample {
  const pixels = data.image.data;
  const low = params.center - params.width / 2;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = Math.min(1, Math.max(0, (pixels[i] - low) / params.width));
  return { ...data, image: { ...data.image, data: out, unit: 'normalized' } };
}

function ctSample(shape: number[]): Sample {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Int16Array(count);
  for (let i = 0; i < count; i++) data[i] = ((i * 7919) % 2000) - 1000;
  return {
    id: `ct-${shape.join('x')}`,
    image: { data, shape, colorMode: 'grayscale', unit: 'HU' },
    meta: {},
  };
}

async function msPer(n: number, f: () => unknown): Promise<number> {
  await f(); // warm up (JIT, worker start)
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f();
  return Number(process.hrtime.bigint() - start) / 1e6 / n;
}

const info = {
  id: 'my-bench-window',
  title: 'Bench window',
  category: 'My modules',
  modality: 'CT',
  dims: '2d' as const,
  description: '',
  language: 'typescript' as const,
  source,
};
const coldStart = process.hrtime.bigint();
const compiled = await compileCustomModule(info);
if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
const type = compiled.nodeType;
const ctx = { nodeId: 'n', rng: () => 0.5, inputs: {} };
const params = { center: 40, width: 400 };
await type.run(ctSample([8, 8, 1]), params, ctx);
const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

console.log(`custom module sandbox, ${samples} samples per size`);
for (const shape of [
  [64, 64, 1],
  [512, 512, 1],
  [64, 256, 256, 1],
]) {
  const sample = ctSample(shape);
  const n = shape.length === 4 ? Math.max(5, Math.floor(samples / 4)) : samples;
  const base = await msPer(n, () => windowInProcess(sample, params));
  const sandboxed = await msPer(n, () => type.run(sample, params, ctx));
  console.log(
    `  ${shape.join('x').padEnd(14)} in-process ${base.toFixed(3)} ms  sandboxed ${sandboxed.toFixed(3)} ms  ratio ${(sandboxed / base).toFixed(2)}x`,
  );
}
const small = ctSample([64, 64, 1]);
const warmSmall = await msPer(samples, () => type.run(small, params, ctx));
console.log(
  `  worker start + compile + first sample ${coldMs.toFixed(1)} ms = ${(coldMs / warmSmall).toFixed(0)}x a warm 64x64 sample (hence one worker per module, reused)`,
);
await type.dispose();
