/**
 * What fits each task, declared once: the built-in architectures, the metrics
 * an epoch reports (what early stopping, the best checkpoint and a tuning
 * search may watch), and from these the values of the network node's params
 * that fit a task. Front ends get them through the node type's descriptor
 * (`NodeTypeDescriptor.taskOptions`); graph validation, training and tuning
 * refuse values that do not fit.
 */
import type { Task, TaskOptions } from '../api';
import { macroKey } from '../api/metric-names';
import { PER_CLASS_METRICS, type PerClassMetric } from './metrics/confusion';
import type { ArchitectureId } from './networks/builtin';

/** A record with one entry per task. */
function perTask<T>(value: (task: Task) => T): Record<Task, T> {
  return {
    classification: value('classification'),
    segmentation: value('segmentation'),
    detection: value('detection'),
    transformation: value('transformation'),
  };
}

/** The built-in networks that take volumes (`[d, h, w, c]`); the others take 2-D images. */
export const VOLUME_ARCHITECTURES: readonly ArchitectureId[] = ['unet3d', 'cnn3d', 'unet3d-regression'];

/** Built-in networks per task; the first is what `auto` picks for 2-D images (the task's 3-D one for volumes). */
export const ARCHITECTURES_BY_TASK: Record<Task, readonly ArchitectureId[]> = {
  classification: ['small-cnn', 'vgg16', 'resnet18', 'densenet121', 'cnn3d'],
  segmentation: ['unet', 'unet3d'],
  detection: ['centernet'],
  transformation: ['unet-regression', 'unet3d-regression'],
};

/** Per-class metrics reported per task (each also as its `macro...` mean). */
const PER_CLASS_BY_TASK: Record<Task, readonly PerClassMetric[]> = {
  classification: PER_CLASS_METRICS.filter((m) => m !== 'iou'),
  segmentation: PER_CLASS_METRICS,
  detection: ['accuracyByClass'],
  transformation: [],
};

/** Whole-split metrics reported per task, besides the per-class ones. */
const SCALARS_BY_TASK: Record<Task, readonly string[]> = {
  classification: ['loss', 'accuracy'],
  segmentation: ['loss', 'accuracy', 'miou'],
  detection: ['loss', 'map50', 'map'],
  transformation: ['loss', 'mae', 'mse', 'rmse', 'msle', 'psnr'],
};

/**
 * Metrics early stopping and the best checkpoint may watch, per task: the
 * whole-split ones and the per-class ones (a class, or their macro mean).
 * `map` (mAP@[.5:.95]) is left out as in the params' enum.
 */
export const WATCHABLE_METRICS_BY_TASK: Record<Task, readonly string[]> = perTask((task) => [
  ...SCALARS_BY_TASK[task].filter((m) => m !== 'map'),
  ...PER_CLASS_BY_TASK[task],
]);

/** Metric names an epoch reports as one number per split, per task (what a tuning search may optimise). */
export const SCALAR_METRICS_BY_TASK: Record<Task, readonly string[]> = perTask((task) => [
  ...SCALARS_BY_TASK[task],
  ...PER_CLASS_BY_TASK[task].map(macroKey),
]);

/** Splits a tuning search may optimise on (the test split stays out of the search). */
export const TUNING_SPLITS = ['validation', 'train'] as const;

/** The network node's task-dependent options, as its descriptor carries them. */
export const NETWORK_TASK_OPTIONS: TaskOptions = {
  choices: {
    architecture: perTask((task) => ['auto', ...ARCHITECTURES_BY_TASK[task], 'custom']),
    earlyStoppingMetric: perTask((task) => [...WATCHABLE_METRICS_BY_TASK[task]]),
    bestMetric: perTask((task) => ['auto', ...WATCHABLE_METRICS_BY_TASK[task]]),
  },
  metrics: perTask((task) =>
    TUNING_SPLITS.flatMap((split) => SCALAR_METRICS_BY_TASK[task].map((m) => `${split}.${m}`)),
  ),
  labels: {
    architecture: 'Architecture',
    earlyStoppingMetric: 'Early stopping metric',
    bestMetric: 'Best metric',
  },
};
