/**
 * The training loop of the Neural Network node: streams batches, trains with
 * the chosen loss/optimizer/schedule, emits metrics for train and validation
 * every epoch, keeps `last` and `best` checkpoints, resumes, stops early,
 * cancels between batches, refuses a NaN loss, and ends with a test-split
 * evaluation that carries a confusion matrix and, for classification, the class
 * probabilities of the test and validation items (the study report's input).
 *
 * Resume rule: when `last.ckpt` exists with the same training key (params
 * except `epochs` and `backend`, network, input geometry, item ids and splits)
 * and has fewer epochs than now asked for, training goes on from the epoch
 * after it; when it reached the epochs asked (or more: lowering Epochs never
 * throws a trained model away) or stopped early, training is skipped and only
 * the test evaluation runs. Otherwise it starts from scratch.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EngineEvent, EpochMetrics, Sample } from '../../api';
import type { NetworkContext, SampleCollection } from '../../graph/node-type';
import { selectBackend } from '../backends/select';
import { DataParallel, trainThreads } from '../parallel/data-parallel';
import { LOWER_IS_BETTER, type NetworkParams, type ResolvedParams } from '../params';
import { tf } from '../tf';
import { streamBatches, shuffled } from './batches';
import {
  checkpointPath,
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointMeta,
} from './checkpoint';
import { EpochAccumulator } from './epoch-metrics';
import { computeLoss, parseClassWeights } from './losses';
import { learningRateAt, makeOptimizer, setLearningRate } from './optimizer';
import { evaluateWholeVolumes } from './patch-evaluation';
import { patchSettings, trainingPatch, type PatchSettings } from './patches';
import { volumeMetricLines } from './volume-metric-lines';
import type { DataGeometry, Prepared } from './prepare';
import {
  buildNetwork,
  checkInput,
  resolveFor,
  specFor,
  splitItems,
  trainingKeyOf,
  type ModelManifest,
} from './setup';
import { disposeTargets, inputTensor, pixelConfusion, targetTensors } from './tensors';

/** Summary of a finished training. */
export interface TrainSummary {
  backend: string;
  /** First epoch run in this call (1 when not resumed). */
  startEpoch: number;
  lastEpoch: number;
  stoppedEarly: boolean;
  bestEpoch: number;
  test?: { metrics: EpochMetrics; confusion: number[][] };
  /** Said when no epoch was trained: the kept model's epochs (e.g. more than now asked). */
  note?: string;
}

/** Thrown when the run is cancelled; the last checkpoint stays the last completed epoch. */
export class TrainingCancelled extends Error {
  constructor() {
    super('Training cancelled');
    this.name = 'AbortError';
  }
}

/** Value of the monitored metric: a scalar, a macro mean, or one class's entry. */
export function monitoredValue(
  metrics: EpochMetrics,
  name: string,
  className: string,
  classes: string[],
): number | null {
  const v = metrics[name];
  if (Array.isArray(v)) {
    if (className) {
      const idx = classes.indexOf(className);
      if (idx < 0) throw new Error(`Early stopping class "${className}" is not one of ${classes.join(', ')}`);
      return v[idx] ?? null;
    }
    const macro = metrics[`macro${name[0].toUpperCase()}${name.slice(1)}`];
    return typeof macro === 'number' ? macro : null;
  }
  return typeof v === 'number' ? v : null;
}

function improved(name: string, value: number | null, best: number | null, minDelta: number): boolean {
  if (value === null) return false;
  if (best === null) return true;
  return LOWER_IS_BETTER.has(name) ? value < best - minDelta : value > best + minDelta;
}

/** The min and max of every value of the training images, read one image at a time. */
async function valueRange(collection: SampleCollection, ids: string[]): Promise<[number, number]> {
  let min = Infinity;
  let max = -Infinity;
  for (const id of ids) {
    const { data } = (await collection.load(id)).image;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < min) min = data[i];
      if (data[i] > max) max = data[i];
    }
  }
  return [min, max];
}

/**
 * What the network's shapes and scaling depend on: the first sample's target
 * channels (transformation) and, for `dataset-minmax`, the training split's range.
 */
async function geometryOf(
  collection: SampleCollection,
  task: DataGeometry['task'],
  inputShape: number[],
  rangeOf?: string[],
): Promise<DataGeometry> {
  const geo: DataGeometry = { task, classes: Math.max(1, collection.classes.length), inputShape };
  if (rangeOf) geo.range = await valueRange(collection, rangeOf);
  if (task === 'segmentation' && collection.classes.length < 2) geo.classes = 2;
  if (task === 'transformation') {
    const first = await collection.load(collection.items[0].id);
    if (first.label?.kind !== 'target') throw new Error(`${first.id}: no target image`);
    geo.targetChannels = first.label.target.shape[first.label.target.shape.length - 1];
  }
  return geo;
}

/** Runs one pass over `items`: trains when `optimizer` is given, else evaluates. */
async function pass(
  model: LayersModel,
  collection: SampleCollection,
  ids: string[],
  p: ResolvedParams,
  geo: DataGeometry,
  acc: EpochAccumulator,
  classWeights: number[] | null,
  ctx: NetworkContext,
  onBatch: () => void,
  optimizer?: tf.Optimizer,
  where = '',
  parallel?: DataParallel | null,
  patch?: { settings: PatchSettings; epoch: number },
): Promise<void> {
  if (patch && !optimizer) {
    const cancelled = (): void => {
      if (ctx.signal.aborted) throw new TrainingCancelled();
    };
    await evaluateWholeVolumes(
      model,
      collection,
      ids,
      p,
      geo,
      patch.settings,
      acc,
      classWeights,
      cancelled,
      onBatch,
    );
    return;
  }
  // A patch's place in its batch decides whether it is centred on foreground.
  const position = new Map(ids.map((id, i) => [id, i % p.batchSize]));
  const prepare = patch
    ? (s: Sample): Prepared => trainingPatch(s, geo, p, patch.settings, patch.epoch, position.get(s.id) ?? 0)
    : undefined;
  let b = 0;
  for await (const batch of streamBatches(collection, ids, p.batchSize, geo, p.normalization, prepare)) {
    if (ctx.signal.aborted) throw new TrainingCancelled();
    b++;
    const x = inputTensor(batch, geo);
    const targets = targetTensors(batch, geo);
    let pred: tf.Tensor;
    let lossValue: number;
    if (optimizer && parallel && batch.length > 1) {
      const step = await parallel.step(model, optimizer, batch as Prepared[], geo);
      lossValue = step.loss;
      pred = step.pred;
    } else if (optimizer) {
      let kept: tf.Tensor | undefined;
      const loss = optimizer.minimize(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        kept = tf.keep(out);
        return computeLoss(p, targets, out, geo.classes, classWeights);
      }, true) as tf.Scalar;
      lossValue = (await loss.data())[0];
      loss.dispose();
      pred = kept as tf.Tensor;
    } else if (parallel && batch.length > 1) {
      pred = await parallel.predict(model, batch as Prepared[], geo);
      const loss = tf.tidy(() => computeLoss(p, targets, pred, geo.classes, classWeights));
      lossValue = (await loss.data())[0];
      loss.dispose();
    } else {
      pred = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
      const loss = tf.tidy(() => computeLoss(p, targets, pred, geo.classes, classWeights));
      lossValue = (await loss.data())[0];
      loss.dispose();
    }
    if (!Number.isFinite(lossValue)) {
      tf.dispose([x, pred]);
      disposeTargets(targets);
      throw new Error(
        `The loss became ${lossValue} ${where} batch ${b}: lower the learning rate (now ${p.learningRate}), check the input normalization, or use another optimizer`,
      );
    }
    acc.addLoss(lossValue, batch.length);
    if (geo.task === 'segmentation')
      acc.addConfusion(pixelConfusion(targets.oneHot as tf.Tensor, pred, geo.classes));
    else acc.addOutputs(batch as Prepared[], (await pred.data()) as Float32Array);
    tf.dispose([x, pred]);
    disposeTargets(targets);
    onBatch();
  }
}

/** Trains the network node; see the module comment for checkpoints and resume. */
export async function train(
  collection: SampleCollection,
  params: NetworkParams,
  ctx: NetworkContext,
): Promise<TrainSummary> {
  const { task, inputShape } = checkInput(collection, params);
  const p = resolveFor(collection, params, ctx.savedSpec);
  const backend = await selectBackend(p.backend, (m) => ctx.log.info(m), {
    volumetric: inputShape.length === 4,
  });
  ctx.emit({ type: 'backend', name: backend });
  const networkName = p.architecture === 'custom' ? `saved network "${p.customSpec}"` : p.architecture;
  ctx.log.info(`Training ${networkName} on the ${backend} backend`);
  const startTensors = tf.memory().numTensors;

  const patch = patchSettings(p);
  if (patch)
    ctx.log.info(`Training on ${patch.size.join('x')} patches; whole volumes validate by sliding windows`);
  const splits = splitItems(collection.items, p.seed);
  if (!splits.train.length) throw new Error('No training items: the dataset needs a train split');
  const spec = specFor(p, ctx.savedSpec);
  const { compiled, geometry: geo } = buildNetwork(
    spec,
    await geometryOf(
      collection,
      task,
      inputShape,
      p.normalization === 'dataset-minmax' ? splits.train.map((i) => i.id) : undefined,
    ),
    p.seed,
  );
  const model = compiled.model;
  const trainingKey = trainingKeyOf(p, spec, geo, splits);
  const counts = new Array<number>(geo.classes).fill(0);
  for (const i of splits.train)
    if (i.classIndex !== undefined && i.classIndex < geo.classes) counts[i.classIndex]++;
  const classWeights = parseClassWeights(p.classWeights, geo.classes, counts);
  const optimizer = makeOptimizer(p);
  const dir = ctx.artifactsDir;
  mkdirSync(dir, { recursive: true });
  const lastPath = checkpointPath(dir, 'last');
  const bestPath = checkpointPath(dir, 'best');

  let state: CheckpointMeta = {
    trainingKey,
    epoch: 0,
    finished: false,
    bestValue: null,
    bestEpoch: 0,
    stale: 0,
    earlyValue: null,
    backend,
  };
  const previous = readCheckpointMeta(lastPath);
  const sameKey = previous?.trainingKey === trainingKey;
  let note: string | undefined;
  if (previous && sameKey && (previous.epoch >= p.epochs || (previous.finished && previous.stoppedEarly))) {
    // Trained at least as far as asked with these settings: the model (and its curves) is kept,
    // never thrown away because fewer epochs are asked now; only the test evaluation runs.
    state = { ...(await loadCheckpoint(lastPath, model)), finished: true, backend };
    if (state.epoch > p.epochs) {
      note = `Trained for ${state.epoch} epochs (more than the ${p.epochs} asked): the model and its curves are kept`;
    } else {
      note = `Already trained for ${state.epoch} epochs with these settings: evaluating only`;
    }
    ctx.log.info(note);
  } else if (previous && sameKey && previous.epoch < p.epochs) {
    state = {
      ...(await loadCheckpoint(lastPath, model, optimizer)),
      finished: false,
      stoppedEarly: false,
      backend,
    };
    ctx.log.info(`Resuming from the checkpoint of epoch ${state.epoch}`);
  } else {
    rmSync(lastPath, { force: true });
    rmSync(bestPath, { force: true });
  }
  const manifest: ModelManifest = {
    spec,
    params: p,
    geometry: geo,
    classes: collection.classes,
    trainingKey,
    backend,
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 1));

  const startEpoch = state.finished ? p.epochs + 1 : state.epoch + 1;
  const trainIds = splits.train.map((i) => i.id);
  const valIds = splits.validation.map((i) => i.id);
  // Patch networks validate whole volumes one at a time.
  const batchesPer =
    Math.ceil(trainIds.length / p.batchSize) +
    (patch ? valIds.length : Math.ceil(valIds.length / p.batchSize));
  const total = batchesPer * Math.max(0, p.epochs - startEpoch + 1);
  let done = 0;
  const onBatch = (): void => {
    done++;
    ctx.emit({ type: 'progress', node: ctx.nodeId, done, total });
  };
  const detection =
    geo.task === 'detection'
      ? { gh: geo.grid!.h, gw: geo.grid!.w, stride: geo.grid!.stride, threshold: p.detectionThreshold }
      : undefined;
  let stoppedEarly = false;
  let parallel: DataParallel | null = null;
  // Sent once this training's tensors are released: its listeners (the test in the source
  // geometry) load the model again, and their tensors are not this training's.
  let testEvent: Extract<EngineEvent, { type: 'evaluation' }> | undefined;
  let summary: TrainSummary;
  try {
    // Only the wasm backend is single-threaded in Node; tensorflow and webgpu use every core already.
    if (backend === 'wasm' && startEpoch <= p.epochs && trainThreads() > 1) {
      parallel = await DataParallel.start(
        trainThreads() - 1,
        { backend, spec, geometry: geo, seed: p.seed, params: p, classWeights },
        (m) => ctx.log.warn(m),
      );
      if (parallel) ctx.log.info(`Data-parallel training on ${parallel.threads} threads`);
    }
    for (let epoch = startEpoch; epoch <= p.epochs; epoch++) {
      setLearningRate(optimizer, learningRateAt(p, epoch - 1));
      const trainAcc = new EpochAccumulator(geo.task, geo.classes, detection);
      const order = shuffled(trainIds, p.seed * 1000 + epoch);
      await pass(
        model,
        collection,
        order,
        p,
        geo,
        trainAcc,
        classWeights,
        ctx,
        onBatch,
        optimizer,
        `in epoch ${epoch}`,
        parallel,
        patch && { settings: patch, epoch },
      );
      const valAcc = new EpochAccumulator(geo.task, geo.classes, detection);
      await pass(
        model,
        collection,
        valIds,
        p,
        geo,
        valAcc,
        classWeights,
        ctx,
        onBatch,
        undefined,
        '',
        parallel,
        patch && { settings: patch, epoch },
      );
      const trainMetrics = trainAcc.metrics();
      const valMetrics = valAcc.metrics();
      ctx.emit({ type: 'epoch', node: ctx.nodeId, epoch, split: 'train', metrics: trainMetrics });
      if (valIds.length)
        ctx.emit({ type: 'epoch', node: ctx.nodeId, epoch, split: 'validation', metrics: valMetrics });
      const watched = valIds.length ? valMetrics : trainMetrics;

      const bestNow = monitoredValue(watched, p.bestMetric, '', collection.classes);
      state.epoch = epoch;
      if (improved(p.bestMetric, bestNow, state.bestValue, 0)) {
        state.bestValue = bestNow;
        state.bestEpoch = epoch;
        await saveCheckpoint(bestPath, state, model);
      }
      if (p.earlyStopping) {
        const v = monitoredValue(watched, p.earlyStoppingMetric, p.earlyStoppingClass, collection.classes);
        if (improved(p.earlyStoppingMetric, v, state.earlyValue, p.minDelta)) {
          state.earlyValue = v;
          state.stale = 0;
        } else if (++state.stale >= p.patience) {
          stoppedEarly = true;
          ctx.log.info(
            `Early stopping after epoch ${epoch}: no improvement of ${p.earlyStoppingMetric} for ${p.patience} epochs`,
          );
        }
      }
      state.finished = stoppedEarly || epoch === p.epochs;
      state.stoppedEarly = stoppedEarly;
      await saveCheckpoint(lastPath, state, model, optimizer);
      if (stoppedEarly) break;
    }

    let test: TrainSummary['test'];
    if (splits.test.length) {
      // Evaluate the best weights (the ones predict uses) on the test split.
      if (readCheckpointMeta(bestPath)) await loadCheckpoint(bestPath, model);
      const testAcc = new EpochAccumulator(geo.task, geo.classes, detection).keepScores();
      if (geo.task === 'transformation' && geo.inputShape.length === 4) testAcc.keepItemMetrics();
      await pass(
        model,
        collection,
        splits.test.map((i) => i.id),
        p,
        geo,
        testAcc,
        classWeights,
        ctx,
        () => undefined,
        undefined,
        '',
        parallel,
        patch && { settings: patch, epoch: state.epoch },
      );
      test = { metrics: testAcc.metrics(), confusion: testAcc.confusionRows() };
      const perVolume = testAcc.itemMetrics();
      if (perVolume) for (const line of volumeMetricLines(perVolume)) ctx.log.info(line);
      // The operating point is chosen on the validation split's probabilities under the same weights.
      const validation =
        geo.task === 'classification' && valIds.length
          ? new EpochAccumulator(geo.task, geo.classes, detection).keepScores()
          : undefined;
      if (validation)
        await pass(
          model,
          collection,
          valIds,
          p,
          geo,
          validation,
          classWeights,
          ctx,
          () => undefined,
          undefined,
          '',
          parallel,
        );
      const testScores = geo.task === 'classification' ? testAcc.scores() : undefined;
      testEvent = {
        type: 'evaluation',
        node: ctx.nodeId,
        split: 'test',
        metrics: test.metrics,
        confusion: test.confusion,
        items: splits.test.length,
        classes: collection.classes,
        ...(testScores
          ? { scores: { test: testScores, ...(validation ? { validation: validation.scores() } : {}) } }
          : {}),
      };
    }
    summary = {
      backend,
      startEpoch,
      lastEpoch: state.epoch,
      stoppedEarly: stoppedEarly || Boolean(state.stoppedEarly),
      bestEpoch: state.bestEpoch,
      test,
      ...(note ? { note } : {}),
    };
  } finally {
    await parallel?.close();
    model.dispose();
    optimizer.dispose();
    const leaked = tf.memory().numTensors - startTensors;
    if (leaked > 0) ctx.log.warn(`${leaked} tensors were not released after training`);
  }
  if (testEvent) ctx.emit(testEvent);
  return summary;
}
