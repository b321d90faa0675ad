/**
 * The layer catalogue: every layer a network spec may use, with a zod param
 * schema (the layer builder's Parameter tab) and a builder to a tf.js layer.
 * Parameters name units and bounds in their `.describe()` texts.
 */
import { z } from 'zod';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { tf, tfl } from '../tf';
import { patchBatchNorm } from './fast-batchnorm';

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

const initializer = z
  .enum(INITIALIZERS)
  .default('heNormal')
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

function define<P extends z.ZodObject>(t: LayerType<P>): LayerType {
  return t as unknown as LayerType;
}

/** A seeded tf.js initializer by name. */
export function makeInitializer(name: (typeof INITIALIZERS)[number], seed: number): Initializer {
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
export function tfActivation(
  a: ActivationName,
): 'linear' | 'relu' | 'elu' | 'selu' | 'sigmoid' | 'softmax' | 'tanh' | 'swish' {
  return a === 'leakyRelu' ? 'linear' : a;
}

const conv2d = define({
  type: 'Conv2D',
  title: 'Conv2D',
  category: 'Convolution',
  description: '2-D convolution: learns local image features.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    filters,
    kernelSize: kernel,
    strides,
    padding,
    activation,
    useBias,
    kernelInitializer: initializer,
  }),
  build: (p, ctx) =>
    tfl.layers.conv2d({
      name: ctx.name,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      activation: tfActivation(p.activation),
      useBias: p.useBias,
      kernelInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
    }),
});

const conv3d = define({
  type: 'Conv3D',
  title: 'Conv3D',
  category: 'Convolution',
  description: '3-D convolution for volumes (d, h, w, c).',
  inputs: { min: 1, max: 1 },
  params: z.object({
    filters,
    kernelSize: kernel,
    strides,
    padding,
    activation,
    useBias,
    kernelInitializer: initializer,
  }),
  build: (p, ctx) =>
    tfl.layers.conv3d({
      name: ctx.name,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      activation: tfActivation(p.activation),
      useBias: p.useBias,
      kernelInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
    }),
});

const depthwise = define({
  type: 'DepthwiseConv2D',
  title: 'Depthwise Conv2D',
  category: 'Convolution',
  description: 'One spatial filter per input channel (cheap; used in mobile networks).',
  inputs: { min: 1, max: 1 },
  params: z.object({
    kernelSize: kernel,
    strides,
    padding,
    depthMultiplier: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(1)
      .describe('Output channels per input channel, 1-16'),
    activation,
    useBias,
    kernelInitializer: initializer,
  }),
  build: (p, ctx) =>
    tfl.layers.depthwiseConv2d({
      name: ctx.name,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      depthMultiplier: p.depthMultiplier,
      activation: tfActivation(p.activation),
      useBias: p.useBias,
      depthwiseInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
    }),
});

const separable = define({
  type: 'SeparableConv2D',
  title: 'Separable Conv2D',
  category: 'Convolution',
  description: 'Depthwise convolution followed by a 1x1 convolution.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    filters,
    kernelSize: kernel,
    strides,
    padding,
    activation,
    useBias,
    kernelInitializer: initializer,
  }),
  build: (p, ctx) =>
    tfl.layers.separableConv2d({
      name: ctx.name,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      activation: tfActivation(p.activation),
      useBias: p.useBias,
      depthwiseInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
      pointwiseInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
    }),
});

const convTranspose = define({
  type: 'Conv2DTranspose',
  title: 'Conv2D Transpose',
  category: 'Convolution',
  description: 'Learned upsampling (transposed convolution).',
  inputs: { min: 1, max: 1 },
  params: z.object({
    filters,
    kernelSize: kernel,
    strides: z.number().int().min(1).max(8).default(2).describe('Upsampling factor (step) in pixels, 1-8'),
    padding,
    activation,
    useBias,
    kernelInitializer: initializer,
  }),
  build: (p, ctx) =>
    tfl.layers.conv2dTranspose({
      name: ctx.name,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      activation: tfActivation(p.activation),
      useBias: p.useBias,
      kernelInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
    }),
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

const maxPool = define({
  type: 'MaxPool2D',
  title: 'Max Pooling 2D',
  category: 'Pooling',
  description: 'Keeps the largest value of each window (downsampling).',
  inputs: { min: 1, max: 1 },
  params: poolParams,
  build: (p, ctx) =>
    tfl.layers.maxPooling2d({
      name: ctx.name,
      poolSize: p.poolSize,
      strides: p.strides ?? p.poolSize,
      padding: p.padding,
    }),
});
const avgPool = define({
  type: 'AvgPool2D',
  title: 'Average Pooling 2D',
  category: 'Pooling',
  description: 'Averages each window (downsampling).',
  inputs: { min: 1, max: 1 },
  params: poolParams,
  build: (p, ctx) =>
    tfl.layers.averagePooling2d({
      name: ctx.name,
      poolSize: p.poolSize,
      strides: p.strides ?? p.poolSize,
      padding: p.padding,
    }),
});
/** tf.js 3-D pooling reads a single number as the depth only: spell out all three axes. */
const cube = (n: number): [number, number, number] => [n, n, n];

const maxPool3d = define({
  type: 'MaxPool3D',
  title: 'Max Pooling 3D',
  category: 'Pooling',
  description: 'Max pooling over volumes.',
  inputs: { min: 1, max: 1 },
  params: poolParams,
  build: (p, ctx) =>
    tfl.layers.maxPooling3d({
      name: ctx.name,
      poolSize: cube(p.poolSize),
      strides: cube(p.strides ?? p.poolSize),
      padding: p.padding,
    }),
});
const avgPool3d = define({
  type: 'AvgPool3D',
  title: 'Average Pooling 3D',
  category: 'Pooling',
  description: 'Average pooling over volumes.',
  inputs: { min: 1, max: 1 },
  params: poolParams,
  build: (p, ctx) =>
    tfl.layers.averagePooling3d({
      name: ctx.name,
      poolSize: cube(p.poolSize),
      strides: cube(p.strides ?? p.poolSize),
      padding: p.padding,
    }),
});
const gap = define({
  type: 'GlobalAvgPool2D',
  title: 'Global Average Pooling 2D',
  category: 'Pooling',
  description: 'Averages each channel over the whole image: (h, w, c) -> (c).',
  inputs: { min: 1, max: 1 },
  params: z.object({}),
  build: (_p, ctx) => tfl.layers.globalAveragePooling2d({ name: ctx.name }),
});
const gmp = define({
  type: 'GlobalMaxPool2D',
  title: 'Global Max Pooling 2D',
  category: 'Pooling',
  description: 'Maximum of each channel over the whole image: (h, w, c) -> (c).',
  inputs: { min: 1, max: 1 },
  params: z.object({}),
  build: (_p, ctx) => tfl.layers.globalMaxPooling2d({ name: ctx.name }),
});

const dense = define({
  type: 'Dense',
  title: 'Dense',
  category: 'Core',
  description: 'Fully connected layer.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    units: z.number().int().min(1).max(65536).describe('Number of output units, 1-65536'),
    activation,
    useBias,
    kernelInitializer: z
      .enum(INITIALIZERS)
      .default('glorotUniform')
      .describe('How the kernel weights start: He for ReLU nets, Glorot for tanh/sigmoid/linear'),
  }),
  build: (p, ctx) =>
    tfl.layers.dense({
      name: ctx.name,
      units: p.units,
      activation: tfActivation(p.activation),
      useBias: p.useBias,
      kernelInitializer: makeInitializer(p.kernelInitializer, ctx.nextSeed()),
    }),
});

const dropout = define({
  type: 'Dropout',
  title: 'Dropout',
  category: 'Regularization',
  description: 'Randomly zeroes units while training (against overfitting).',
  inputs: { min: 1, max: 1 },
  params: z.object({ rate }),
  build: (p, ctx) => tfl.layers.dropout({ name: ctx.name, rate: p.rate, seed: ctx.nextSeed() }),
});

const spatialDropout = define({
  type: 'SpatialDropout2D',
  title: 'Spatial Dropout 2D',
  category: 'Regularization',
  description: 'Drops whole feature maps while training.',
  inputs: { min: 1, max: 1 },
  params: z.object({ rate }),
  build: (p, ctx) =>
    // A null entry in the noise shape takes the input's size (tf.dropout): one draw per (sample, channel).
    tfl.layers.dropout({
      name: ctx.name,
      rate: p.rate,
      seed: ctx.nextSeed(),
      noiseShape: [null, 1, 1, null] as unknown as number[],
    }),
});

const batchNorm = define({
  type: 'BatchNorm',
  title: 'Batch Normalization',
  category: 'Normalization',
  description: 'Normalizes each channel over the batch; speeds up training.',
  inputs: { min: 1, max: 1 },
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
  build: (p, ctx) =>
    patchBatchNorm(
      tfl.layers.batchNormalization({ name: ctx.name, momentum: p.momentum, epsilon: p.epsilon }),
    ),
});

const activationLayer = define({
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

const add = define({
  type: 'Add',
  title: 'Add',
  category: 'Merge',
  description: 'Element-wise sum of inputs of equal shape (residual connections).',
  inputs: { min: 2, max: 16 },
  params: z.object({}),
  build: (_p, ctx) => tfl.layers.add({ name: ctx.name }),
});
const multiply = define({
  type: 'Multiply',
  title: 'Multiply',
  category: 'Merge',
  description: 'Element-wise product of inputs of equal shape (gating, attention).',
  inputs: { min: 2, max: 16 },
  params: z.object({}),
  build: (_p, ctx) => tfl.layers.multiply({ name: ctx.name }),
});
const concat = define({
  type: 'Concatenate',
  title: 'Concatenate',
  category: 'Merge',
  description: 'Joins inputs along the channel axis (skip connections).',
  inputs: { min: 2, max: 64 },
  params: z.object({ axis: z.number().int().default(-1).describe('Axis to join along; -1 = channels') }),
  build: (p, ctx) => tfl.layers.concatenate({ name: ctx.name, axis: p.axis }),
});

const upsampling = define({
  type: 'UpSampling2D',
  title: 'UpSampling 2D',
  category: 'Reshaping',
  description: 'Repeats rows and columns (nearest) or interpolates (bilinear).',
  inputs: { min: 1, max: 1 },
  params: z.object({
    size: z.number().int().min(1).max(8).default(2).describe('Upsampling factor, 1-8'),
    interpolation: z.enum(['nearest', 'bilinear']).default('nearest').describe('How new pixels are filled'),
  }),
  build: (p, ctx) =>
    tfl.layers.upSampling2d({ name: ctx.name, size: [p.size, p.size], interpolation: p.interpolation }),
});
const flatten = define({
  type: 'Flatten',
  title: 'Flatten',
  category: 'Reshaping',
  description: 'Flattens everything but the batch axis into one vector.',
  inputs: { min: 1, max: 1 },
  params: z.object({}),
  build: (_p, ctx) => tfl.layers.flatten({ name: ctx.name }),
});
const reshape = define({
  type: 'Reshape',
  title: 'Reshape',
  category: 'Reshaping',
  description: 'Gives the data a new shape with the same number of values.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    targetShape: z
      .array(z.number().int())
      .min(1)
      .describe('New shape without the batch axis; one -1 is inferred'),
  }),
  build: (p, ctx) => tfl.layers.reshape({ name: ctx.name, targetShape: p.targetShape }),
});
const zeroPadding = define({
  type: 'ZeroPadding2D',
  title: 'Zero Padding 2D',
  category: 'Reshaping',
  description: 'Adds rows and columns of zeros around the image.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    padding: z.number().int().min(0).max(64).default(1).describe('Pixels added on each side, 0-64'),
  }),
  build: (p, ctx) => tfl.layers.zeroPadding2d({ name: ctx.name, padding: p.padding }),
});
const cropping = define({
  type: 'Cropping2D',
  title: 'Cropping 2D',
  category: 'Reshaping',
  description: 'Removes rows and columns at the borders.',
  inputs: { min: 1, max: 1 },
  params: z.object({
    cropping: z.number().int().min(0).max(512).default(1).describe('Pixels removed on each side, 0-512'),
  }),
  build: (p, ctx) => tfl.layers.cropping2D({ name: ctx.name, cropping: p.cropping }),
});

const input = define({
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
    maxPool,
    avgPool,
    maxPool3d,
    avgPool3d,
    gap,
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
