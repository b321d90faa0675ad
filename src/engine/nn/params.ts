/**
 * Parameters of the Neural Network node: the Parameter tab's fields and the
 * genetic tuner's search space. Every field says its unit and bounds.
 * `auto` values resolve per task (see {@link resolveParams}).
 */
import { z } from 'zod';
import { TASKS, type Task } from '../api';
import { PER_CLASS_METRICS } from './metrics/confusion';
import { DEFAULT_SCORE_THRESHOLD } from './metrics/detection';
import { isOperatingRule } from './metrics/operating-point';
import { taskOptionProblems } from '../graph/task-options';
import type { ArchitectureId } from './networks/builtin';
import { ARCHITECTURES_BY_TASK, NETWORK_TASK_OPTIONS, VOLUME_ARCHITECTURES } from './task-options';

/** Metric names a user may pick for early stopping and the best checkpoint. */
export const SELECTABLE_METRICS = [
  'loss',
  'accuracy',
  ...PER_CLASS_METRICS,
  'miou',
  'map50',
  'mae',
  'mse',
  'rmse',
  'msle',
  'psnr',
] as const;

/** Metrics where lower is better. */
export const LOWER_IS_BETTER = new Set(['loss', 'mae', 'mse', 'rmse', 'msle']);

/** Zod schema of the network node's params. */
export const NetworkParamsSchema = z.object({
  task: z
    .enum(TASKS)
    .default('classification')
    .describe('What the network learns: a class per image, a class per pixel, boxes, or an output image'),
  architecture: z
    .enum([
      'auto',
      'small-cnn',
      'vgg16',
      'resnet18',
      'densenet121',
      'unet',
      'unet3d',
      'cnn3d',
      'centernet',
      'unet-regression',
      'unet3d-regression',
      'custom',
    ])
    .default('auto')
    .describe(
      'Built-in network, or custom = the layer-builder network named in Custom spec; auto = small-cnn, unet, centernet or unet-regression by task (cnn3d, unet3d and unet3d-regression for volumes)',
    ),
  // Free text: the Parameter tab's enums come from the static schema, saved ids vary per project.
  // Optional without default, so the keys (and checkpoints) of networks that never set it stay as they were.
  customSpec: z
    .string()
    .optional()
    .describe(
      'Id of a network saved with the layer builder (its Save as name); used when architecture = custom',
    ),
  // Optional without defaults, so the keys of networks that train on whole inputs stay as they were.
  patchSize: z
    .string()
    .optional()
    .describe(
      'Volumes to segment or transform: train on random patches of DxHxW voxels (e.g. 32x64x64; each side a multiple of 2^depth) and predict whole volumes by sliding windows; empty = whole inputs',
    ),
  patchForeground: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      'Patch training: share of each batch whose patches are centred on a foreground voxel, 0-1 (default 0.33)',
    ),
  windowOverlap: z
    .number()
    .min(0)
    .max(0.95)
    .optional()
    .describe(
      'Patch networks: overlap of neighbouring sliding windows on whole volumes, 0-0.95 (default 0.5)',
    ),
  windowBlend: z
    .enum(['gaussian', 'constant'])
    .optional()
    .describe(
      'Patch networks: how overlapping windows are averaged; gaussian weights window centres more (default)',
    ),
  baseFilters: z
    .number()
    .int()
    .min(4)
    .max(128)
    .default(16)
    .describe('Filters of the first stage (small CNN, U-Net, CenterNet); doubled per stage, 4-128'),
  depth: z
    .number()
    .int()
    .min(1)
    .max(6)
    .default(3)
    .describe('Number of stages / down-sampling steps, 1-6 (VGG max 5, ResNet/DenseNet max 4)'),
  width: z
    .number()
    .min(0.125)
    .max(2)
    .default(0.25)
    .describe('Channel multiplier of VGG16/ResNet18/DenseNet121 relative to the paper, 0.125-2'),
  dropout: z.number().min(0).max(0.9).default(0.2).describe('Dropout before the classifier, 0-0.9'),
  normalization: z
    .enum(['per-image-minmax', 'per-image-zscore', 'dataset-minmax', 'none'])
    .default('per-image-minmax')
    .describe(
      "Input scaling inside the network: each image to [0, 1], to mean 0 / sd 1, the training split's " +
        'min..max to [0, 1] for every image (background-only images stay dark instead of having their noise ' +
        'stretched), or as is (HU stays HU)',
    ),
  epochs: z.number().int().min(1).max(10000).default(16).describe('Passes over the training split, 1-10000'),
  batchSize: z.number().int().min(1).max(1024).default(16).describe('Images per training step, 1-1024'),
  learningRate: z
    .number()
    .positive()
    .max(10)
    .default(0.003)
    .describe('Step size of the optimizer, > 0 (typ. 1e-4 to 1e-2)'),
  schedule: z
    .enum(['constant', 'exponential', 'step', 'cosine'])
    .default('cosine')
    .describe('How the learning rate changes per epoch; cosine eases it to 0 by the last epoch (stable end)'),
  decay: z
    .number()
    .min(0)
    .max(1)
    .default(0.9)
    .describe('Learning-rate factor per epoch (exponential) or per step (step), 0-1'),
  decaySteps: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe('Epochs between drops of the step schedule, 1-1000'),
  optimizer: z
    .enum(['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'])
    .default('adam')
    .describe('Update rule; momentum = SGD with momentum 0.9'),
  loss: z
    .enum(['auto', 'cross-entropy', 'weighted-cross-entropy', 'focal', 'dice', 'bce-dice', 'l1', 'l2'])
    .default('auto')
    .describe(
      'Training loss; auto = cross-entropy (classes), BCE+Dice (masks), focal+L1 (boxes), L1 (images)',
    ),
  classWeights: z
    .string()
    .default('')
    .describe(
      "Per-class loss weights, comma separated in class order (e.g. '1,3'), or 'balanced'; empty = equal",
    ),
  earlyStopping: z
    .boolean()
    .default(false)
    .describe('Stop when the monitored validation metric stops improving'),
  earlyStoppingMetric: z
    .enum(SELECTABLE_METRICS)
    .default('loss')
    .describe('Validation metric watched by early stopping'),
  earlyStoppingClass: z
    .string()
    .default('')
    .describe('Class name for a per-class metric (e.g. sensitivity of "lesion"); empty = macro mean'),
  minDelta: z
    .number()
    .min(0)
    .max(1000)
    .default(0.001)
    .describe('Smallest change that counts as an improvement, >= 0'),
  patience: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(5)
    .describe('Epochs without improvement before stopping, 1-1000'),
  bestMetric: z
    .enum(['auto', ...SELECTABLE_METRICS])
    .default('auto')
    .describe(
      'Validation metric that picks the best checkpoint; auto = accuracy, miou, map50 or loss by task',
    ),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42)
    .describe('Seed of weights, shuffling and dropout, 0-2^31'),
  backend: z
    .enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'])
    .default('auto')
    .describe('Compute backend; auto tries tensorflow (CUDA/CPU), webgpu, wasm, then cpu'),
  gradCamLayer: z
    .string()
    .default('')
    .describe(
      'Layer id whose activations Grad-CAM explains (classification); empty = the deepest spatial layer',
    ),
  detectionThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(DEFAULT_SCORE_THRESHOLD)
    .describe('Detection: minimum heatmap score for a box, 0-1'),
  operatingPoint: z
    .string()
    .refine(isOperatingRule, 'use youden, sens=T or spec=T with 0 < T <= 1')
    .default('youden')
    .describe(
      "Classification study: how the threshold is chosen on the validation split: youden (Youden's J), sens=0.9 (target sensitivity) or spec=0.9 (target specificity)",
    ),
  subgroupFile: z
    .string()
    .default('')
    .describe(
      'Classification study: a CSV (path from the project) whose first column is the item id and whose other columns (site, scanner...) are attributes to report the test metrics by, beside DICOM manufacturer, model, sex and age',
    ),
});

/** Parsed params of the network node. */
export type NetworkParams = z.infer<typeof NetworkParamsSchema>;

/** Params with `auto` values resolved for the task. */
export interface ResolvedParams extends Omit<NetworkParams, 'architecture' | 'loss' | 'bestMetric'> {
  /** A built-in network, or `custom`: the saved spec named by `customSpec`. */
  architecture: ArchitectureId | 'custom';
  loss: Exclude<NetworkParams['loss'], 'auto'> | 'centernet';
  bestMetric: (typeof SELECTABLE_METRICS)[number];
}

const LOSSES_BY_TASK: Record<Task, ResolvedParams['loss'][]> = {
  classification: ['cross-entropy', 'weighted-cross-entropy', 'focal'],
  segmentation: ['bce-dice', 'cross-entropy', 'weighted-cross-entropy', 'focal', 'dice'],
  detection: ['centernet'],
  transformation: ['l1', 'l2'],
};

/**
 * Why a built-in architecture cannot take data of `dims` (cnn3d and the 3-D U-Net take volumes, the others
 * images); undefined when it can, and for `auto` and `custom`.
 */
export function architectureDimsProblem(architecture: string, dims: 2 | 3): string | undefined {
  if (architecture === 'auto' || architecture === 'custom') return undefined;
  const volumetric = VOLUME_ARCHITECTURES.includes(architecture as ArchitectureId);
  if (volumetric === (dims === 3)) return undefined;
  const task = TASKS.find((t) => ARCHITECTURES_BY_TASK[t].includes(architecture as ArchitectureId));
  // The same task's network for the other kind of data, when there is one.
  const other =
    task && ARCHITECTURES_BY_TASK[task].find((a) => VOLUME_ARCHITECTURES.includes(a) !== volumetric);
  if (dims === 3)
    return `Architecture ${architecture} takes 2-D images, but the data is 3-D volumes (d x h x w x c): ${other ? `pick ${other} (or auto), or ` : ''}set the Dataset's volumes to slices`;
  return `Architecture ${architecture} takes 3-D volumes, but the data is 2-D images: pick ${other ?? 'another network'} (or auto)`;
}

/** The architecture `auto` picks: the task's first, or its 3-D one for volumes. */
function autoArchitecture(task: Task, dims: 2 | 3): ArchitectureId {
  const volumetric = ARCHITECTURES_BY_TASK[task].find((a) => VOLUME_ARCHITECTURES.includes(a));
  return dims === 3 && volumetric ? volumetric : ARCHITECTURES_BY_TASK[task][0];
}

/**
 * Resolves `auto` values and checks that architecture and loss fit the task.
 * `customTask` is the task of the saved spec that `architecture: custom` names
 * (the caller looks it up; undefined when there is none); `dims` says whether
 * the data is 2-D images or 3-D volumes.
 */
export function resolveParams(
  p: NetworkParams,
  task: Task,
  customTask?: Task,
  dims: 2 | 3 = 2,
): ResolvedParams {
  const architecture = p.architecture === 'auto' ? autoArchitecture(task, dims) : p.architecture;
  if (architecture === 'custom') {
    if (!p.customSpec)
      throw new Error(
        'Architecture custom needs the id of a network saved in the layer builder: fill in Custom spec',
      );
    if (customTask !== undefined && customTask !== task)
      throw new Error(
        `Network "${p.customSpec}" is for ${customTask}, but the data is for ${task}: pick another network`,
      );
  } else {
    const archTask = TASKS.find((t) => ARCHITECTURES_BY_TASK[t].includes(architecture));
    if (archTask !== task)
      throw new Error(
        `Architecture ${architecture} is for ${archTask}, but the data is for ${task}: pick another network`,
      );
  }
  const losses = LOSSES_BY_TASK[task];
  const loss = p.loss === 'auto' ? losses[0] : p.loss;
  if (!losses.includes(loss))
    throw new Error(`Loss ${p.loss} does not fit ${task}; use one of ${losses.join(', ')}`);
  // Metrics the task does not report (psnr for classes) are refused, not watched in vain.
  const { bestMetric: best, earlyStoppingMetric } = p;
  const misfits = taskOptionProblems(NETWORK_TASK_OPTIONS, { bestMetric: best, earlyStoppingMetric }, task);
  if (misfits.length > 0) throw new Error(misfits.join('; '));
  const bestMetric =
    p.bestMetric !== 'auto'
      ? p.bestMetric
      : (
          {
            classification: 'accuracy',
            segmentation: 'miou',
            detection: 'map50',
            transformation: 'loss',
          } as const
        )[task];
  return { ...p, architecture, loss, bestMetric };
}
