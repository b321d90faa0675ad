/**
 * TF.js layers format on disk: `model.json` (topology and weights manifest,
 * as tf.js's own `model.save` writes it) and the weights in binary shards of
 * at most 4 MiB, so `tf.loadLayersModel` (a URL, or a file handler) reads the
 * folder back unchanged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { tf } from '../tf';

/** Largest weight shard written, in bytes (tf.js's own default). */
const SHARD_BYTES = 4 * 1024 * 1024;

/** Writes the model in TF.js layers format into `dir`; returns the files written, `model.json` first. */
export async function saveTfjs(model: LayersModel, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(
        new tf.io.CompositeArrayBuffer(artifacts.weightData ?? new ArrayBuffer(0)).slice(),
      );
      const count = Math.max(1, Math.ceil(weights.byteLength / SHARD_BYTES));
      const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      paths.forEach((path, i) =>
        writeFileSync(join(dir, path), weights.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES)),
      );
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      files.push('model.json', ...paths);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files;
}
