/**
 * A gradient worker of data-parallel training: it builds the same network as
 * the trainer (same spec, geometry and seed, hence the same weight order) on
 * its own tf.js backend, and for each `step` message loads the trainer's
 * weights, runs forward and backward on its shard of the batch, and sends back
 * the loss, the gradients, the outputs (for the epoch's training metrics) and
 * the batch-norm moving statistics its forward pass produced; for each
 * `predict` message it loads the weights and returns its shard's outputs.
 *
 * Bundled by esbuild into one CommonJS script with tf.js left external
 * (parallel/bundle.ts), so tf.js and its wasm binary load from node_modules.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendChoice } from '../backends/select';
import { tf } from '../tf';
import { computeLoss } from '../train/losses';
import { buildNetwork } from '../train/setup';
import { disposeTargets, inputTensor, targetTensors } from '../train/tensors';
import type { FromWorker, GradientWorkerData, PredictMessage, StepMessage, ToWorker } from './protocol';

const data = workerData as GradientWorkerData;
const port = parentPort;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

async function main(): Promise<void> {
  const backend = await selectBackend(data.backend as BackendChoice);
  const { compiled, geometry: geo } = buildNetwork(data.spec, data.geometry, data.seed);
  const model = compiled.model;
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);

  const load = (weights: Float32Array[]): void =>
    model.weights.forEach((w, i) => {
      const t = tf.tensor(weights[i], w.shape as number[]);
      w.write(t);
      t.dispose();
    });

  const step = (m: StepMessage): void => {
    load(m.weights);
    const x = inputTensor(m.shard, geo);
    const targets = targetTensors(m.shard, geo);
    let kept: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      kept = tf.keep(out);
      return computeLoss(data.params, targets, out, geo.classes, data.classWeights);
    }, trainable);
    const gradArrays = trainable.map((v) =>
      grads[v.name] ? (grads[v.name].dataSync() as Float32Array) : new Float32Array(v.size),
    );
    const pred = kept as tf.Tensor;
    const result: FromWorker = {
      type: 'result',
      seq: m.seq,
      loss: value.dataSync()[0],
      grads: gradArrays,
      pred: pred.dataSync() as Float32Array,
      predShape: pred.shape,
      weights: model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array),
    };
    tf.dispose([x, pred, value, ...Object.values(grads)]);
    disposeTargets(targets);
    const buffers = [...result.grads, result.pred, ...result.weights].map((a) => a.buffer as ArrayBuffer);
    send(result, [...new Set(buffers)]);
  };

  const predict = (m: PredictMessage): void => {
    if (m.weights) load(m.weights);
    const pred = tf.tidy(() => model.predict(inputTensor(m.shard, geo)) as tf.Tensor);
    const result: FromWorker = {
      type: 'prediction',
      seq: m.seq,
      pred: pred.dataSync() as Float32Array,
      predShape: pred.shape,
    };
    pred.dispose();
    send(result, [result.pred.buffer as ArrayBuffer]);
  };

  port?.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      model.dispose();
      port.close();
      return;
    }
    try {
      if (m.type === 'step') step(m);
      else predict(m);
    } catch (e) {
      send({ type: 'failed', seq: m.seq, message: (e as Error).message });
    }
  });
  send({ type: 'ready', backend });
}

main().catch((e: unknown) => send({ type: 'failed', message: (e as Error).message }));
