/**
 * The layer catalogue: every layer a network spec may use, with a zod param
 * schema (the layer builder's Parameter tab) and a builder to a tf.js layer.
 * Entries compose shared param pieces (a convolution's window, a weight
 * layer's activation and initializer) and name the tfjs-layers factory that
 * builds them; params carry tfjs-layers' own argument names, so building is
 * generic. Parameters name units and bounds in their `.describe()` texts.
 */
import { z } from 'zod';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { tf, tfl } from '../tf';
import { patchBatchNorm } from './fast-batchnorm';
import { GlobalAveragePooling3D } from './global-average-pool3d';

/** Kernel initializers offered for weight layers. */
export const INITIALIZERS = [
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'lecunUniform',
  'lecunNormal',
  'truncatedNormal',
  'zeros',
  'ones',
] as const;

/** Activations offered by the Activation layer and weight layers. */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'leakyRelu',
  'elu',
  'selu',
  'sigmoid',
  'softmax',
  'tanh',
  'swish',
] as const;

/** One of {@link ACTIVATIONS}. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/** The kernel initializer param, with the default that suits the layer. */
const initializerFrom = (fallback: (typeof INITIALIZERS)[number]) =>
  z
    .enum(INITIALIZERS)
    .default(fallback)
    .describe('How the kernel weights start: He for ReLU nets, Glorot for tanh/sigmoid/linear');
const activation = z
  .enum(ACTIVATIONS)
  .default('linear')
  .describe('Activation applied to the output; linear = none');
const filters = z
  .number()
  .int()
  .min(1)
  .max(4096)
  .describe('Number of output channels (feature maps), 1-4096');
const kernel = z.number().int().min(1).max(15).default(3).describe('Kernel size in pixels (square), 1-15');
const strides = z.number().int().min(1).max(8).default(1).describe('Step of the window in pixels, 1-8');
const padding = z
  .enum(['same', 'valid'])
  .default('same')
  .describe("'same' keeps the size (at stride 1); 'valid' uses only full windows");
const useBias = z.boolean().default(true).describe('Add a learned bias per output channel');
const pool = z.number().int().min(1).max(8).default(2).describe('Pooling window in pixels (square), 1-8');

/** Params every convolution shares: its window and how it moves (tfjs-layers' `BaseConvLayerArgs`). */
const window = { kernelSize: kernel, strides, padding };
/** Params every layer with weights shares: what follows it and how its weights start. */
const weights = { activation, useBias, kernelInitializer: initializerFrom('heNormal') };
const rate = z
  .number()
  .min(0)
  .max(0.95)
  .default(0.5)
  .describe('Fraction of units dropped while training, 0-0.95');

/** Context a builder receives: a seed source so initial weights are reproducible. */
export interface BuildContext {
  nextSeed(): number;
  name: string;
}

/** One catalogue entry. */
export interface LayerType<P extends z.ZodObject = z.ZodObject> {
  type: string;
  title: string;
  category:
    | 'Input'
    | 'Convolution'
    | 'Pooling'
    | 'Core'
    | 'Regularization'
    | 'Normalization'
    | 'Activation'
    | 'Merge'
    | 'Reshaping';
  description: string;
  params: P;
  /** How many inbound layers: Input 0, merge layers 2+, others 1. */
  inputs: { min: number; max: number };
  build(params: z.infer<P>, ctx: BuildContext): Layer;
}

/** A tf.js layer factory (`tfl.layers.conv2d`...) by name. */
type LayerFactoryName = {
  [K in keyof typeof tfl.layers]: (typeof tfl.layers)[K] extends (args: never) => Layer ? K : never;
}[keyof typeof tfl.layers];

/**
 * What an entry says; the rest is generic. Params are named as tfjs-layers
 * names its arguments and pass through as they are, except `activation`
 * (leaky ReLU is appended by the compiler) and `kernelInitializer` (seeded,
 * and given to each tf.js argument in `initializers`).
 */
interface Entry<P extends z.ZodObject> extends Omit<LayerType<P>, 'inputs' | 'build'> {
  /** Default one input. */
  inputs?: { min: number; max: number };
  /** The tfjs-layers factory that builds it. */
  tfjs: LayerFactoryName;
  /** tf.js arguments that take the seeded kernel initializer, in seed order. */
  initializers?: readonly string[];
  /** Arguments tf.js wants otherwise than the params hold them. */
  args?(params: z.infer<P>, ctx: BuildContext): Record<string, unknown>;
  /** Replaces the layer tf.js built (a faster kernel). */
  wrap?(layer: Layer): Layer;
}

/** A catalogue entry built generically from its tf.js factory. */
function layer<P extends z.ZodObject>(entry: Entry<P>): LayerType {
  const { tfjs, initializers = [], args, wrap, inputs = { min: 1, max: 1 }, ...info } = entry;
  const factory = tfl.layers[tfjs] as unknown as (args: Record<string, unknown>) => Layer;
  return {
    ...info,
    inputs,
    build: (params, ctx) => {
      const { activation: chosen, kernelInitializer, ...rest } = params as Record<string, unknown>;
      const built: Record<string, unknown> = { name: ctx.name, ...rest };
      if (chosen !== undefined) built.activation = tfActivation(chosen as ActivationName);
      for (const key of initializers)
        built[key] = makeInitializer(kernelInitializer as (typeof INITIALIZERS)[number], ctx.nextSeed());
      const made = factory({ ...built, ...args?.(params as z.infer<P>, ctx) });
      return wrap ? wrap(made) : made;
    },
  } as LayerType;
}

/** An entry whose building is its own (the Input, made by the compiler; the Activation, two tf.js layers). */
function own<P extends z.ZodObject>(t: LayerType<P>): LayerType {
  return t as unknown as LayerType;
}

/** A seeded tf.js initializer by name. */
function makeInitializer(name: (typeof INITIALIZERS)[number], seed: number): Initializer {
  const I = tfl.initializers;
  switch (name) {
    case 'glorotUniform':
      return I.glorotUniform({ seed });
    case 'glorotNormal':
      return I.glorotNormal({ seed });
    case 'heUniform':
      return I.heUniform({ seed });
    case 'heNormal':
      return I.heNormal({ seed });
    case 'lecunUniform':
      return I.leCunUniform({ seed });
    case 'lecunNormal':
      return I.leCunNormal({ seed });
    case 'truncatedNormal':
      return I.truncatedNormal({ seed, stddev: 0.05 });
    case 'zeros':
      return I.zeros();
    case 'ones':
      return I.ones();
  }
}

/**
 * tf.js activation identifier; leaky ReLU is a layer of its own in tf.js, so
 * weight layers with `leakyRelu` get it appended by the compiler.
 */
function tfActivation(
  a: ActivationName,
): 'linear' | 'relu' | 'elu' | 'selu' | 'sigmoid' | 'softmax' | 'tanh' | 'swish' {
  return a === 'leakyRelu' ? 'linear' : a;
}

const conv2d = layer({
  type: 'Conv2D',
  title: 'Conv2D',
  category: 'Convolution',
  description: '2-D convolution: learns local image features.',
  params: z.object({ filters, ...window, ...weights }),
  tfjs: 'conv2d',
  initializers: ['kernelInitializer'],
});

const conv3d = layer({
  type: 'Conv3D',
  title: 'Conv3D',
  category: 'Convolution',
  description: '3-D convolution for volumes (d, h, w, c).',
  params: z.object({ filters, ...window, ...weights }),
  tfjs: 'conv3d',
  initializers: ['kernelInitializer'],
});

const depthwise = layer({
  type: 'DepthwiseConv2D',
  title: 'Depthwise Conv2D',
  category: 'Convolution',
  description: 'One spatial filter per input channel (cheap; used in mobile networks).',
  params: z.object({
    ...window,
    depthMultiplier: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(1)
      .describe('Output channels per input channel, 1-16'),
    ...weights,
  }),
  tfjs: 'depthwiseConv2d',
  initializers: ['depthwiseInitializer'],
});

const separable = layer({
  type: 'SeparableConv2D',
  title: 'Separable Conv2D',
  category: 'Convolution',
  description: 'Depthwise convolution followed by a 1x1 convolution.',
  params: z.object({ filters, ...window, ...weights }),
  tfjs: 'separableConv2d',
  initializers: ['depthwiseInitializer', 'pointwiseInitializer'],
});

const convTranspose = layer({
  type: 'Conv2DTranspose',
  title: 'Conv2D Transpose',
  category: 'Convolution',
  description: 'Learned upsampling (transposed convolution).',
  params: z.object({
    filters,
    ...window,
    strides: z.number().int().min(1).max(8).default(2).describe('Upsampling factor (step) in pixels, 1-8'),
    ...weights,
  }),
  tfjs: 'conv2dTranspose',
  initializers: ['kernelInitializer'],
});

const conv3dTranspose = layer({
  type: 'Conv3DTranspose',
  title: 'Conv3D Transpose',
  category: 'Convolution',
  description: 'Learned upsampling of volumes (transposed 3-D convolution).',
  params: z.object({
    filters,
    ...window,
    strides: z.number().int().min(1).max(8).default(2).describe('Upsampling factor (step) in voxels, 1-8'),
    ...weights,
  }),
  tfjs: 'conv3dTranspose',
  initializers: ['kernelInitializer'],
});

const poolParams = z.object({
  poolSize: pool,
  strides: z
    .number()
    .int()
    .min(1)
    .max(8)
    .optional()
    .describe('Step of the window in pixels, 1-8; defaults to the pool size'),
  padding: z
    .enum(['same', 'valid'])
    .default('valid')
    .describe("'valid' uses only full windows; 'same' keeps ceil(size / stride)"),
});
type PoolParams = z.infer<typeof poolParams>;
/** A 2-D window moves by its own size unless told otherwise. */
const poolSteps = (p: PoolParams) => ({ strides: p.strides ?? p.poolSize });
/** tf.js 3-D pooling reads a single number as the depth only: spell out all three axes. */
const cube = (n: number): [number, number, number] => [n, n, n];
const poolCubes = (p: PoolParams) => ({ poolSize: cube(p.poolSize), strides: cube(p.strides ?? p.poolSize) });

const maxPool = layer({
  type: 'MaxPool2D',
  title: 'Max Pooling 2D',
  category: 'Pooling',
  description: 'Keeps the largest value of each window (downsampling).',
  params: poolParams,
  tfjs: 'maxPooling2d',
  args: poolSteps,
});
const avgPool = layer({
  type: 'AvgPool2D',
  title: 'Average Pooling 2D',
  category: 'Pooling',
  description: 'Averages each window (downsampling).',
  params: poolParams,
  tfjs: 'averagePooling2d',
  args: poolSteps,
});
const maxPool3d = layer({
  type: 'MaxPool3D',
  title: 'Max Pooling 3D',
  category: 'Pooling',
  description: 'Max pooling over volumes.',
  params: poolParams,
  tfjs: 'maxPooling3d',
  args: poolCubes,
});
const avgPool3d = layer({
  type: 'AvgPool3D',
  title: 'Average Pooling 3D',
  category: 'Pooling',
  description: 'Average pooling over volumes.',
  params: poolParams,
  tfjs: 'averagePooling3d',
  args: poolCubes,
});
const gap = layer({
  type: 'GlobalAvgPool2D',
  title: 'Global Average Pooling 2D',
  category: 'Pooling',
  description: 'Averages each channel over the whole image: (h, w, c) -> (c).',
  params: z.object({}),
  tfjs: 'globalAveragePooling2d',
});
const gap3d = own({
  type: 'GlobalAvgPool3D',
  title: 'Global Average Pooling 3D',
  category: 'Pooling',
  description: 'Averages each channel over the whole volume: (d, h, w, c) -> (c), whatever the volume size.',
  inputs: { min: 1, max: 1 },
  params: z.object({}),
  build: (_p, ctx) => new GlobalAveragePooling3D({ name: ctx.name }),
});
const gmp = layer({
  type: 'GlobalMaxPool2D',
  title: 'Global Max Pooling 2D',
  category: 'Pooling',
  description: 'Maximum of each channel over the whole image: (h, w, c) -> (c).',
  params: z.object({}),
  tfjs: 'globalMaxPooling2d',
});

const dense = layer({
  type: 'Dense',
  title: 'Dense',
  category: 'Core',
  description: 'Fully connected layer.',
  params: z.object({
    units: z.number().int().min(1).max(65536).describe('Number of output units, 1-65536'),
    ...weights,
    kernelInitializer: initializerFrom('glorotUniform'),
  }),
  tfjs: 'dense',
  initializers: ['kernelInitializer'],
});

const dropout = layer({
  type: 'Dropout',
  title: 'Dropout',
  category: 'Regularization',
  description: 'Randomly zeroes units while training (against overfitting).',
  params: z.object({ rate }),
  tfjs: 'dropout',
  args: (_p, ctx) => ({ seed: ctx.nextSeed() }),
});

const spatialDropout = layer({
  type: 'SpatialDropout2D',
  title: 'Spatial Dropout 2D',
  category: 'Regularization',
  description: 'Drops whole feature maps while training.',
  params: z.object({ rate }),
  tfjs: 'dropout',
  // A null entry in the noise shape takes the input's size (tf.dropout): one draw per (sample, channel).
  args: (_p, ctx) => ({ seed: ctx.nextSeed(), noiseShape: [null, 1, 1, null] }),
});

const batchNorm = layer({
  type: 'BatchNorm',
  title: 'Batch Normalization',
  category: 'Normalization',
  description: 'Normalizes each channel over the batch; speeds up training.',
  params: z.object({
    momentum: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe(
        'Moving-average momentum of the statistics, 0-1 (0.9 settles within ~50 steps on small data)',
      ),
    epsilon: z
      .number()
      .positive()
      .max(0.1)
      .default(0.001)
      .describe('Added to the variance for stability, > 0'),
  }),
  tfjs: 'batchNormalization',
  wrap: patchBatchNorm,
});

const activationLayer = own({
  type: 'Activation',
  title: 'Activation',
  category: 'Activation',
  description: 'Applies a non-linearity: relu, leaky relu, elu, selu, sigmoid, softmax, tanh, swish.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    activation: z.enum(ACTIVATIONS).default('relu').describe('The function applied to every value'),
    alpha: z.number().min(0).max(1).default(0.1).describe('Slope for negative inputs (leaky relu only), 0-1'),
  }),
  build: (p, ctx) =>
    p.activation === 'leakyRelu'
      ? tfl.layers.leakyReLU({ name: ctx.name, alpha: p.alpha })
      : tfl.layers.activation({ name: ctx.name, activation: p.activation }),
});

const add = layer({
  type: 'Add',
  title: 'Add',
  category: 'Merge',
  description: 'Element-wise sum of inputs of equal shape (residual connections).',
  inputs: { min: 2, max: 16 },
  params: z.object({}),
  tfjs: 'add',
});
const multiply = layer({
  type: 'Multiply',
  title: 'Multiply',
  category: 'Merge',
  description: 'Element-wise product of inputs of equal shape (gating, attention).',
  inputs: { min: 2, max: 16 },
  params: z.object({}),
  tfjs: 'multiply',
});
const concat = layer({
  type: 'Concatenate',
  title: 'Concatenate',
  category: 'Merge',
  description: 'Joins inputs along the channel axis (skip connections).',
  inputs: { min: 2, max: 64 },
  params: z.object({ axis: z.number().int().default(-1).describe('Axis to join along; -1 = channels') }),
  tfjs: 'concatenate',
});

const upsampling = layer({
  type: 'UpSampling2D',
  title: 'UpSampling 2D',
  category: 'Reshaping',
  description: 'Repeats rows and columns (nearest) or interpolates (bilinear).',
  params: z.object({
    size: z.number().int().min(1).max(8).default(2).describe('Upsampling factor, 1-8'),
    interpolation: z.enum(['nearest', 'bilinear']).default('nearest').describe('How new pixels are filled'),
  }),
  tfjs: 'upSampling2d',
  args: (p) => ({ size: [p.size, p.size] }),
});
const flatten = layer({
  type: 'Flatten',
  title: 'Flatten',
  category: 'Reshaping',
  description: 'Flattens everything but the batch axis into one vector.',
  params: z.object({}),
  tfjs: 'flatten',
});
const reshape = layer({
  type: 'Reshape',
  title: 'Reshape',
  category: 'Reshaping',
  description: 'Gives the data a new shape with the same number of values.',
  params: z.object({
    targetShape: z
      .array(z.number().int())
      .min(1)
      .describe('New shape without the batch axis; one -1 is inferred'),
  }),
  tfjs: 'reshape',
});
const zeroPadding = layer({
  type: 'ZeroPadding2D',
  title: 'Zero Padding 2D',
  category: 'Reshaping',
  description: 'Adds rows and columns of zeros around the image.',
  params: z.object({
    padding: z.number().int().min(0).max(64).default(1).describe('Pixels added on each side, 0-64'),
  }),
  tfjs: 'zeroPadding2d',
});
const cropping = layer({
  type: 'Cropping2D',
  title: 'Cropping 2D',
  category: 'Reshaping',
  description: 'Removes rows and columns at the borders.',
  params: z.object({
    cropping: z.number().int().min(0).max(512).default(1).describe('Pixels removed on each side, 0-512'),
  }),
  tfjs: 'cropping2D',
});

const input = own({
  type: 'Input',
  title: 'Input',
  category: 'Input',
  description: 'The image entering the network; its shape comes from the data unless set.',
  inputs: { min: 0, max: 0 },
  params: z.object({
    shape: z
      .array(z.number().int().positive().nullable())
      .optional()
      .describe('(h, w, c) or (d, h, w, c) without the batch axis; taken from the data when absent'),
  }),
  build: () => {
    throw new Error('Input layers are created by the compiler');
  },
});

/** Every layer type by its `type` name. */
export const LAYER_TYPES: Record<string, LayerType> = Object.fromEntries(
  [
    input,
    conv2d,
    conv3d,
    depthwise,
    separable,
    convTranspose,
    conv3dTranspose,
    maxPool,
    avgPool,
    maxPool3d,
    avgPool3d,
    gap,
    gap3d,
    gmp,
    dense,
    dropout,
    spatialDropout,
    batchNorm,
    activationLayer,
    add,
    multiply,
    concat,
    upsampling,
    flatten,
    reshape,
    zeroPadding,
    cropping,
  ].map((t) => [t.type, t]),
);

// Keep `tf` referenced for side effects (backend registration) when this file is imported alone.
void tf;
