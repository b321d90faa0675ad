/** Reads a TF.js layers-format folder (model.json and its weight shards) back with tf.loadLayersModel. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { tfl, type tf } from '../nn/tf';

/** The model saved in `folder`, loaded as a browser or Node program would. */
export async function loadTfjsFolder(folder: string): Promise<LayersModel> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  return tfl.loadLayersModel({
    load: async () => {
      const [group] = json.weightsManifest;
      const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(folder, p))));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: group.weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  });
}
