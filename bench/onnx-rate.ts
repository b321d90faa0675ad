/**
 * ONNX Runtime's inference throughput for the benchmarks: a tf.js model
 * exported to ONNX and run on random float32 NHWC batches (CPU, `threads`
 * threads per operator), after one warm-up call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { toOnnx } from '../src/engine/nn/export/onnx';
import { OnnxNetwork } from '../src/engine/nn/export/runtime';

/** Images/s of `run` on a batch of `batch` images over `steps` calls, after one warm-up call. */
export async function imagesPerSecond(
  batch: number,
  steps: number,
  run: () => Promise<unknown>,
): Promise<number> {
  await run();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await run();
  return (batch * steps) / ((performance.now() - t0) / 1000);
}

/** `model` exported to ONNX and opened in ONNX Runtime; `close` releases it and its file. */
export async function openOnnx(
  model: LayersModel,
  threads: number,
): Promise<{ net: OnnxNetwork; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'phi-bench-onnx-'));
  const path = join(dir, 'model.onnx');
  writeFileSync(path, toOnnx(model));
  const net = await OnnxNetwork.load(path, threads);
  return {
    net,
    async close() {
      await net.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
