/**
 * Messages between the trainer and a gradient worker (data-parallel training
 * and evaluation, see docs/networks.md "Speed"). Weights and gradients cross as Float32Arrays
 * in the model's weight order, which the worker shares because it compiles the
 * same spec with the same options.
 */
import type { ResolvedParams } from '../params';
import type { NetworkSpec } from '../../api/network-spec';
import type { DataGeometry, Prepared } from '../train/prepare';

/** `workerData` of a gradient worker: what it needs to build the same network. */
export interface GradientWorkerData {
  backend: string;
  spec: NetworkSpec;
  geometry: DataGeometry;
  seed: number;
  params: ResolvedParams;
  classWeights: number[] | null;
}

/** Trainer -> worker: the current weights (all of `model.weights`) and this worker's shard. */
export interface StepMessage {
  type: 'step';
  seq: number;
  weights: Float32Array[];
  shard: Prepared[];
}

/**
 * Trainer -> worker: a shard to run in inference mode, with the current
 * weights, or null when they are those of the previous predict message.
 */
export interface PredictMessage {
  type: 'predict';
  seq: number;
  weights: Float32Array[] | null;
  shard: Prepared[];
}

/** Trainer -> worker: release everything and exit. */
export interface CloseMessage {
  type: 'close';
}

/** What the trainer sends. */
export type ToWorker = StepMessage | PredictMessage | CloseMessage;

/** Worker -> trainer: the shard's loss, gradients (trainable weights' order), outputs and updated weights. */
export interface StepResult {
  type: 'result';
  seq: number;
  loss: number;
  grads: Float32Array[];
  pred: Float32Array;
  predShape: number[];
  /** All weights after the forward pass (the batch-norm moving statistics changed). */
  weights: Float32Array[];
}

/** Worker -> trainer: the shard's inference-mode outputs. */
export interface PredictResult {
  type: 'prediction';
  seq: number;
  pred: Float32Array;
  predShape: number[];
}

/** Worker -> trainer: the network is built and the backend is up. */
export interface ReadyMessage {
  type: 'ready';
  backend: string;
}

/** Worker -> trainer: a failure (start-up or a step). */
export interface FailedMessage {
  type: 'failed';
  seq?: number;
  message: string;
}

/** What the worker sends. */
export type FromWorker = StepResult | PredictResult | ReadyMessage | FailedMessage;
