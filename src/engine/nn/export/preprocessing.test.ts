/**
 * The chain inside the ONNX graph against the modules themselves: raw images
 * (int16 HU, 8-bit RGB and gray) through each expressible module and the
 * network's input scaling, once by the engine (applyChain + prepareInput) and
 * once by ONNX Runtime on the exported graph (checked by ONNX's checker),
 * ahead of a linear network so the graph's output is the network's input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dtypeOf, type DType, type PixelArray, type Sample } from '../../api';
import { allocate } from '../../imaging/image';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { applyChain, type ChainStep } from '../../run/chain';
import { maxAbsDifference, seededValues } from '../../test-support/arrays';
import { img, smp } from '../../test-support/samples';
import type { ModuleNodeType } from '../../graph/node-type';
import type { NetworkParams } from '../params';
import { tfl } from '../tf';
import { prepareInput } from '../train/prepare';
import type { PreprocessingStep } from './export';
import { toOnnx } from './onnx';
import { checkOnnx } from './onnx-checker';
import { preprocessingPrelude } from './preprocessing';
import { OnnxNetwork } from './runtime';

const dir = mkdtempSync(join(tmpdir(), 'phi-onnx-pre-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = createBuiltinRegistry();

/** Steps as `phi export` lists them: module id and params with defaults filled in. */
function steps(list: [string, Record<string, unknown>][]): PreprocessingStep[] {
  return list.map(([module, params], i) => ({
    node: `m${i}`,
    module,
    version: 1,
    params: (registry.get(module) as ModuleNodeType).params.parse(params) as Record<string, unknown>,
  }));
}

/** `n` seeded values of `dtype` in [lo, hi). */
function raw(dtype: DType, n: number, seed: number, lo: number, hi: number): PixelArray {
  const out = allocate(dtype, n);
  seededValues(n, seed, lo, hi).forEach((v, i) => (out[i] = dtype === 'float32' ? v : Math.floor(v)));
  return out;
}

let files = 0;

/** A network whose output is its input, so the graph's output is what the chain gives it. */
function linearNetwork(inputShape: number[]) {
  const input = tfl.input({ shape: inputShape });
  const output = tfl.layers.activation({ activation: 'linear' }).apply(input) as typeof input;
  return tfl.model({ inputs: input, outputs: output });
}

/** Largest |engine - ONNX| over the network inputs of `images`, and the model path. */
async function compare(
  chain: PreprocessingStep[],
  images: PixelArray[],
  shape: [number, number, number],
  inputShape: [number, number, number],
  normalization: NetworkParams['normalization'],
  range?: [number, number],
): Promise<number> {
  const model = linearNetwork(inputShape);
  const dtype = dtypeOf(images[0]);
  const path = join(dir, `m${files++}.onnx`);
  const prelude = preprocessingPrelude({
    steps: chain,
    source: { height: shape[0], width: shape[1], channels: shape[2], dtype },
    inputShape,
    normalization,
    range,
  });
  writeFileSync(path, toOnnx(model, { prelude }));
  model.dispose();
  expect(checkOnnx(path)).toBe('8 17');
  const geo = { task: 'classification' as const, classes: 2, inputShape, range };
  const chainSteps: ChainStep[] = chain.map((s) => ({
    node: { id: s.node } as ChainStep['node'],
    type: registry.get(s.module) as ModuleNodeType,
    params: s.params,
  }));
  const net = await OnnxNetwork.load(path);
  let worst = 0;
  for (const data of images) {
    const sample = (await applyChain(chainSteps, smp(img(data, ...shape)) as Sample)) as Sample;
    const expected = prepareInput(sample, geo, normalization).x;
    const got = await net.run(Float32Array.from(data), [1, ...shape]);
    worst = Math.max(worst, maxAbsDifference(got, expected));
  }
  await net.release();
  return worst;
}

describe('preprocessing inside the ONNX graph', () => {
  it('HU Clamp, Window Setting and an area Resize on int16 CT values give the engine’s input', async () => {
    const images = [1, 2, 3].map((seed) => raw('int16', 40 * 52, seed, -1500, 2500));
    const chain = steps([
      ['hu-clamp', { min: -1000, max: 2000 }],
      ['window-setting', { preset: 'abdomen' }],
      ['resize', { width: 32, height: 24, interpolation: 'area' }],
    ]);
    const worst = await compare(chain, images, [40, 52, 1], [24, 32, 1], 'none');
    console.log(
      `int16 HU -> clamp, abdomen window, area resize: largest difference ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-5);
  });

  it('Color to Grayscale and Clip keep 8-bit rounding; Min-Max, bilinear Resize and z-score scaling follow', async () => {
    const images = [4, 5].map((seed) => raw('uint8', 30 * 20 * 3, seed, 0, 256));
    const chain = steps([
      ['color-to-grayscale', {}],
      ['random-flip', { probability: 1 }],
      ['clip', { min: 10, max: 200.5 }],
      ['min-max-normalization', { min: -1, max: 1 }],
      ['resize', { width: 16, height: 12, interpolation: 'bilinear' }],
    ]);
    const worst = await compare(chain, images, [30, 20, 3], [12, 16, 1], 'per-image-zscore');
    console.log(`uint8 RGB -> gray, clip, min-max, bilinear, z-score input: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('Grayscale to RGB, nearest and bicubic Resize, per-channel z-score and an 8-bit window', async () => {
    const images = [6, 7].map((seed) => raw('uint8', 18 * 14, seed, 0, 256));
    const chain = steps([
      ['grayscale-to-rgb', {}],
      ['resize', { width: 31, height: 27, interpolation: 'nearest' }],
      ['z-score-normalization', { perChannel: true }],
      ['resize', { width: 20, height: 25, interpolation: 'bicubic' }],
      ['window-setting', { center: 0, width: 4, output: 'uint8' }],
    ]);
    const worst = await compare(chain, images, [18, 14, 1], [25, 20, 3], 'per-image-minmax');
    console.log(
      `uint8 gray -> RGB, nearest, z-score, bicubic, 8-bit window, min-max input: ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4);
  });

  it("8-bit images through an interpolating Resize: at most one grey level from OpenCV's fixed-point kernels; nearest exact", async () => {
    const images = [9, 10].map((seed) => raw('uint8', 30 * 20, seed, 0, 256));
    for (const interpolation of ['bilinear', 'bicubic', 'area', 'nearest'])
      for (const [h, w] of [
        [12, 16],
        [41, 27],
      ]) {
        const chain = steps([['resize', { width: w, height: h, interpolation }]]);
        const worst = await compare(chain, images, [30, 20, 1], [h, w, 1], 'none');
        console.log(`uint8 30x20 -> ${h}x${w} ${interpolation}: largest difference ${worst} grey level(s)`);
        expect(worst).toBeLessThanOrEqual(interpolation === 'nearest' ? 0 : 1);
      }
  });

  it('--any-size: ONNX Resize takes images of any size as the module resizes them (float data)', async () => {
    const model = linearNetwork([24, 20, 1]);
    for (const interpolation of ['bilinear', 'bicubic', 'nearest']) {
      const chain = steps([
        ['window-setting', { preset: 'brain' }],
        ['resize', { width: 20, height: 24, interpolation }],
      ]);
      const path = join(dir, `any-${interpolation}.onnx`);
      const prelude = preprocessingPrelude({
        steps: chain,
        source: { height: null, width: null, channels: 1, dtype: 'int16' },
        inputShape: [24, 20, 1],
        normalization: 'per-image-zscore',
      });
      writeFileSync(path, toOnnx(model, { prelude }));
      expect(checkOnnx(path)).toBe('8 17');
      const net = await OnnxNetwork.load(path);
      const engine = chain.map((s) => ({
        node: { id: s.node } as ChainStep['node'],
        type: registry.get(s.module) as ModuleNodeType,
        params: s.params,
      }));
      let worst = 0;
      for (const [h, w, seed] of [
        [37, 29, 11],
        [12, 50, 12],
        [24, 20, 13],
      ]) {
        const data = raw('int16', h * w, seed, -20, 100);
        const sample = (await applyChain(engine, smp(img(data, h, w)))) as Sample;
        const geo = { task: 'classification' as const, classes: 2, inputShape: [24, 20, 1] };
        const expected = prepareInput(sample, geo, 'per-image-zscore').x;
        worst = Math.max(
          worst,
          maxAbsDifference(await net.run(Float32Array.from(data), [1, h, w, 1]), expected),
        );
      }
      await net.release();
      console.log(
        `any size, brain window then ${interpolation} Resize: largest difference ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThan(1e-4);
    }
    const area = steps([['resize', { width: 20, height: 24, interpolation: 'area' }]]);
    const anySize = { height: null, width: null, channels: 1, dtype: 'uint8' as const };
    const options = { source: anySize, inputShape: [24, 20, 1], normalization: 'none' as const };
    expect(() => toOnnx(model, { prelude: preprocessingPrelude({ ...options, steps: area }) })).toThrow(
      'Module "m0" (resize) resizes with area, which ONNX Resize has no mode for: export without --any-size.',
    );
    expect(() => toOnnx(model, { prelude: preprocessingPrelude({ ...options, steps: [] }) })).toThrow(
      'The chain has no Resize, so the network takes images of one size: export without --any-size.',
    );
    model.dispose();
  });

  it("scales float images by the training split's range (dataset-minmax)", async () => {
    const images = [8].map((seed) => raw('float32', 9 * 11, seed, -3, 7));
    const worst = await compare([], images, [9, 11, 1], [9, 11, 1], 'dataset-minmax', [-2, 6]);
    expect(worst).toBeLessThan(1e-6);
  });

  it('refuses, naming the module, what it cannot express', () => {
    const base = {
      source: { height: 8, width: 8, channels: 1, dtype: 'uint8' as const },
      inputShape: [8, 8, 1],
      normalization: 'none' as const,
    };
    expect(() => preprocessingPrelude({ ...base, steps: steps([['gaussian-blur', {}]]) })).toThrow(
      'Module "m0" (gaussian-blur) has no ONNX form: export without the preprocessing and apply the chain as the manifest lists it.',
    );
    const letterbox = steps([['resize', { width: 8, height: 8, keepAspectRatio: true }]]);
    const model = linearNetwork([8, 8, 1]);
    expect(() => toOnnx(model, { prelude: preprocessingPrelude({ ...base, steps: letterbox }) })).toThrow(
      /Module "m0" \(resize\) keeps the aspect ratio/,
    );
    model.dispose();
    expect(() => preprocessingPrelude({ ...base, inputShape: [4, 8, 8, 1], steps: [] })).toThrow(
      'Preprocessing inside the ONNX graph covers 2-D images; this network takes volumes.',
    );
  });
});
