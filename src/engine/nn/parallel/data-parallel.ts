/**
 * Data-parallel training (and evaluation) over worker threads. tf.js's wasm backend runs one
 * thread in Node, so a training step uses one core; here each batch is split
 * into shards: the trainer's thread computes the gradients of the first shard
 * while each worker (its own wasm backend, parallel/worker-entry.ts) computes
 * those of another, starting from the same weights. The gradients are averaged
 * weighted by shard size — the gradient of the whole batch's mean loss — and
 * applied once by the trainer's optimizer, so optimizer state, checkpoints and
 * resume are those of single-thread training. Batch-norm layers normalise each
 * shard with its own statistics (as PyTorch's DistributedDataParallel does
 * without SyncBatchNorm); their moving statistics are averaged the same way.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { tf } from '../tf';
import { computeLoss } from '../train/losses';
import type { DataGeometry, Prepared } from '../train/prepare';
import { disposeTargets, inputTensor, targetTensors } from '../train/tensors';
import { gradientWorkerSource } from './bundle';
import type { FromWorker, GradientWorkerData, PredictResult, StepResult, ToWorker } from './protocol';

/** Time a worker may take to bundle, load tf.js and build the network. */
const STARTUP_MS = 120_000;

/**
 * Threads to train on (the trainer's plus workers): `PHI_TRAIN_THREADS` when
 * set (1 turns data-parallel training off), else the cores, at most 4.
 */
export function trainThreads(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.PHI_TRAIN_THREADS);
  if (env.PHI_TRAIN_THREADS !== undefined && Number.isInteger(v) && v >= 1) return v;
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** One training step's outcome on the trainer's side. */
export interface ParallelStep {
  /** Mean loss over the whole batch. */
  loss: number;
  /** Training-mode outputs of the whole batch in batch order (the caller disposes). */
  pred: tf.Tensor;
}

/** A worker's answer to a step or a predict message. */
type WorkerResult = StepResult | PredictResult;

interface Pending {
  resolve(r: WorkerResult): void;
  reject(e: Error): void;
}

/** A started gradient worker. */
class GradientWorker {
  private pending: Pending | undefined;
  private failure: Error | undefined;
  private seq = 0;
  private closing = false;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'result' || m.type === 'prediction') this.settle(undefined, m);
      else if (m.type === 'failed') this.settle(new Error(`Training worker: ${m.message}`));
    });
    worker.on('error', (e) => this.settle(new Error(`Training worker crashed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.settle(new Error(`Training worker exited (code ${code})`));
    });
  }

  private settle(error: Error | undefined, result?: WorkerResult): void {
    const p = this.pending;
    this.pending = undefined;
    if (error) this.failure ??= error;
    if (!p) return;
    if (result) p.resolve(result);
    else p.reject(error as Error);
  }

  private request<T extends WorkerResult>(
    type: 'step' | 'predict',
    weights: Float32Array[] | null,
    shard: Prepared[],
  ): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const message = { type, seq: ++this.seq, weights, shard } as ToWorker;
    return new Promise<T>((resolve, reject) => {
      this.pending = { resolve: resolve as (r: WorkerResult) => void, reject };
      this.worker.postMessage(message);
    });
  }

  /** Sends the weights and a shard; resolves with the shard's gradients. */
  step(weights: Float32Array[], shard: Prepared[]): Promise<StepResult> {
    return this.request('step', weights, shard);
  }

  /** Sends a shard (and the weights, unless unchanged); resolves with its inference-mode outputs. */
  predict(weights: Float32Array[] | null, shard: Prepared[]): Promise<PredictResult> {
    return this.request('predict', weights, shard);
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.closing = true;
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    await this.worker.terminate();
  }
}

/** Starts one worker and waits until its network is built. */
async function startWorker(code: string, data: GradientWorkerData): Promise<GradientWorker> {
  const worker = new Worker(code, { eval: true, workerData: data });
  try {
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready') done();
        else if (m.type === 'failed') done(new Error(m.message));
      };
      const onError = (e: Error): void => done(e);
      const onExit = (c: number): void => done(new Error(`exited with code ${c}`));
      const timer = setTimeout(() => done(new Error('did not start in time')), STARTUP_MS);
      // Only our own listeners: Worker keeps internal ones that route its messages.
      const done = (e?: Error): void => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (e) reject(e);
        else resolve();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return new GradientWorker(worker);
}

/** Sizes of `parts` near-equal shards of `n` items (larger first, empty ones dropped). */
export function shardSizes(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0)).filter((s) => s > 0);
}

/** The trainer's handle on its gradient workers. */
export class DataParallel {
  /** Data ids of the weights the workers hold from the last predict (undefined after a step). */
  private predictWeights: object[] | undefined;

  private constructor(
    private readonly workers: GradientWorker[],
    private readonly data: GradientWorkerData,
  ) {}

  /** Threads a step uses (the trainer's plus the workers). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `count` workers for the network of `data`; resolves to null (after
   * calling `warn`) when any fails to start, so training goes on single-threaded.
   */
  static async start(
    count: number,
    data: GradientWorkerData,
    warn: (message: string) => void,
  ): Promise<DataParallel | null> {
    if (count < 1) return null;
    let code: string;
    try {
      code = await gradientWorkerSource();
    } catch (e) {
      warn(`Training on one thread: the training worker could not be built (${(e as Error).message})`);
      return null;
    }
    const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(code, data)));
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(ok.map((w) => w.close()));
      warn(`Training on one thread: a training worker did not start (${(failed.reason as Error).message})`);
      return null;
    }
    return new DataParallel(ok, data);
  }

  /** `batch` cut into one near-equal shard per thread (the trainer's first). */
  private shards(batch: Prepared[]): Prepared[][] {
    const shards: Prepared[][] = [];
    let o = 0;
    for (const s of shardSizes(batch.length, this.threads)) {
      shards.push(batch.slice(o, o + s));
      o += s;
    }
    return shards;
  }

  /**
   * Inference-mode outputs of `batch` (validation and test passes), the
   * shards run concurrently on the current weights; in batch order, the
   * caller disposes them.
   */
  async predict(model: LayersModel, batch: Prepared[], geo: DataGeometry): Promise<tf.Tensor> {
    const shards = this.shards(batch);
    // A validation pass reads the same weights batch after batch: send them once. Every change
    // (optimizer step, moving statistics, a loaded checkpoint) gives a variable a new dataId.
    const ids = model.weights.map((w) => w.read().dataId);
    const unchanged =
      this.predictWeights?.length === ids.length && ids.every((id, i) => id === this.predictWeights?.[i]);
    const weights = unchanged ? null : model.weights.map((w) => w.read().dataSync() as Float32Array);
    this.predictWeights = ids;
    const remote = shards.slice(1).map((shard, i) => this.workers[i].predict(weights, shard));
    for (const r of remote) r.catch(() => undefined);
    const local = tf.tidy(() => model.predict(inputTensor(shards[0], geo)) as tf.Tensor);
    let results: PredictResult[];
    try {
      results = await Promise.all(remote);
    } catch (e) {
      local.dispose();
      throw e;
    }
    const parts = [local, ...results.map((r) => tf.tensor(r.pred, r.predShape))];
    const pred = tf.concat(parts, 0);
    tf.dispose(parts);
    return pred;
  }

  /**
   * One optimizer step on `batch`: shards computed concurrently, gradients
   * averaged by shard size and applied by `optimizer` on `model`.
   */
  async step(
    model: LayersModel,
    optimizer: tf.Optimizer,
    batch: Prepared[],
    geo: DataGeometry,
  ): Promise<ParallelStep> {
    const n = batch.length;
    const shards = this.shards(batch);
    // The workers now hold this step's weights, not those of the last predict.
    this.predictWeights = undefined;
    const sizes = shards.map((s) => s.length);
    // Weights are read before this thread's forward pass updates the moving statistics.
    const weights = model.weights.map((w) => w.read().dataSync() as Float32Array);
    const remote = shards.slice(1).map((shard, i) => this.workers[i].step(weights, shard));
    // Keep a rejection that arrives while this thread computes from being reported as unhandled.
    for (const r of remote) r.catch(() => undefined);

    const { data } = this;
    const x = inputTensor(shards[0], geo);
    const targets = targetTensors(shards[0], geo);
    let kept: tf.Tensor | undefined;
    let local: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      local = optimizer.computeGradients(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        kept = tf.keep(out);
        return computeLoss(data.params, targets, out, geo.classes, data.classWeights);
      });
    } finally {
      tf.dispose(x);
      disposeTargets(targets);
    }
    let results: StepResult[];
    try {
      results = await Promise.all(remote);
    } catch (e) {
      tf.dispose([local.value, kept as tf.Tensor, ...Object.values(local.grads)]);
      throw e;
    }

    const share = sizes.map((s) => s / n);
    const index = new Map(model.trainableWeights.map((w, i) => [(w.read() as tf.Variable).name, i]));
    // Same keys in the same order as `minimize` would give, so optimizer state lines up.
    const combined = tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(local.grads)) {
        const i = index.get(name);
        let sum = tf.mul(g, share[0]);
        if (i !== undefined)
          results.forEach((r, k) => {
            sum = tf.add(sum, tf.mul(tf.tensor(r.grads[i], g.shape), share[k + 1]));
          });
        out[name] = sum;
      }
      return out;
    });
    optimizer.applyGradients(combined);
    tf.dispose([...Object.values(combined), ...Object.values(local.grads)]);

    model.nonTrainableWeights.forEach((w, j) => {
      const mean = tf.tidy(() => {
        let sum = tf.mul(w.read(), share[0]);
        results.forEach((r, k) => {
          sum = tf.add(sum, tf.mul(tf.tensor(r.weights[j], w.shape as number[]), share[k + 1]));
        });
        return sum;
      });
      w.write(mean);
      mean.dispose();
    });

    let loss = local.value.dataSync()[0] * share[0];
    results.forEach((r, k) => (loss += r.loss * share[k + 1]));
    local.value.dispose();
    const parts = [kept as tf.Tensor, ...results.map((r) => tf.tensor(r.pred, r.predShape))];
    const pred = tf.concat(parts, 0);
    tf.dispose(parts);
    return { loss, pred };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
