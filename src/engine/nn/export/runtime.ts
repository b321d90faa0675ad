/**
 * Runs an exported ONNX network with ONNX Runtime (onnxruntime-node, its CPU
 * execution provider). A node's `model.onnx` in its artifacts folder is
 * exported from the trained weights when it is missing or older than them.
 * The native binding loads on first use, so the engine starts without it.
 */
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { Trained } from '../predict';
import { checkpointPath } from '../train/checkpoint';
import { ONNX_FILE } from './export';
import { ONNX_INPUT, ONNX_OUTPUT, toOnnx } from './onnx';

/** One exported network opened in ONNX Runtime. */
export class OnnxNetwork {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly inference: Ort.InferenceSession,
  ) {}

  /** Opens an ONNX file; `threads` caps the threads one operator uses (default: ONNX Runtime's). */
  static async load(path: string, threads?: number): Promise<OnnxNetwork> {
    const ort = await import('onnxruntime-node');
    const inference = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    });
    return new OnnxNetwork(ort, inference);
  }

  /** The network's output for a float32 input of `shape` (batch axis first, channels last). */
  async run(x: Float32Array, shape: number[]): Promise<Float32Array> {
    const input = new this.ort.Tensor('float32', x, shape);
    const result = await this.inference.run({ [ONNX_INPUT]: input });
    const output = result[ONNX_OUTPUT];
    const data = Float32Array.from(output.data as Float32Array);
    output.dispose();
    return data;
  }

  async release(): Promise<void> {
    await this.inference.release();
  }
}

/** The node's `model.onnx`, exported from the trained weights when missing or older than them. */
export function nodeOnnx(t: Trained, artifactsDir: string): string {
  const path = join(artifactsDir, ONNX_FILE);
  const best = checkpointPath(artifactsDir, 'best');
  const weights = existsSync(best) ? best : checkpointPath(artifactsDir, 'last');
  const newest = Math.max(statSync(weights).mtimeMs, statSync(join(artifactsDir, 'model.json')).mtimeMs);
  if (!existsSync(path) || statSync(path).mtimeMs < newest) {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, toOnnx(t.model, { metadata: { task: t.manifest.geometry.task } }));
    renameSync(tmp, path);
  }
  return path;
}
