/**
 * Built-in networks as spec generators with a few structural options (width,
 * depth, base filters). `resources/networks/<id>.json` holds each one at its
 * defaults (written by export-specs.ts, checked by a test) for the layer builder.
 */
import type { NetworkSpec } from '../../api/network-spec';
import { start, type SpecBuilder } from './builder';

/** Structural options shared by the generators; each uses the ones that apply. */
export interface ArchitectureOptions {
  /** Filters of the first stage; later stages double (U-Net, small CNN, CenterNet). */
  baseFilters?: number;
  /** Stages / down-sampling steps. */
  depth?: number;
  /** Channel multiplier for VGG/ResNet/DenseNet (1 = the paper's widths). */
  width?: number;
  /** Dropout before the classifier, 0-0.9. */
  dropout?: number;
}

const round = (v: number): number => Math.max(1, Math.round(v));

/** Classifier head: global pooling, optional dropout, softmax over `$classes`. */
function classifier(b: SpecBuilder, x: string, dropout: number, pool = 'GlobalAvgPool2D'): string {
  let y = b.add(pool, x);
  if (dropout > 0) y = b.add('Dropout', y, { rate: dropout });
  return b.add(
    'Dense',
    y,
    { units: '$classes', activation: 'softmax', kernelInitializer: 'glorotUniform' },
    'predictions',
  );
}

/** Small CNN: `depth` x (conv-relu, maxpool), doubling filters, then GAP + softmax. */
export function smallCnn(o: ArchitectureOptions = {}): NetworkSpec {
  const filters = o.baseFilters ?? 16;
  const depth = o.depth ?? 3;
  const { b, x: input } = start();
  let x = input;
  for (let i = 0; i < depth; i++) {
    // Batch normalization lets the net pick up faint contrasts (a lesion of a few HU) quickly.
    x = b.add('Conv2D', x, { filters: filters * 2 ** i, kernelSize: 3, useBias: false }, `conv${i + 1}`);
    x = b.add('BatchNorm', x, {}, `bn${i + 1}`);
    x = b.add('Activation', x, { activation: 'relu' }, `relu${i + 1}`);
    x = b.add('MaxPool2D', x, { poolSize: 2 }, `pool${i + 1}`);
  }
  const out = classifier(b, x, o.dropout ?? 0.2);
  return b.build(
    {
      name: 'small-cnn',
      task: 'classification',
      description: 'Small CNN: fast, for small images and quick experiments.',
    },
    out,
  );
}

/** VGG16-style: 5 blocks of 2-2-3-3-3 convs (64..512 x width) with max pooling. */
export function vgg16(o: ArchitectureOptions = {}): NetworkSpec {
  const w = o.width ?? 0.25;
  const blocks = [2, 2, 3, 3, 3].slice(0, o.depth ?? 5);
  const { b, x: input } = start();
  let x = input;
  blocks.forEach((n, i) => {
    for (let j = 0; j < n; j++)
      x = b.add(
        'Conv2D',
        x,
        { filters: round(64 * 2 ** Math.min(i, 3) * w), activation: 'relu' },
        `block${i + 1}_conv${j + 1}`,
      );
    x = b.add('MaxPool2D', x, { poolSize: 2 }, `block${i + 1}_pool`);
  });
  const out = classifier(b, x, o.dropout ?? 0.5);
  return b.build({ name: 'vgg16', task: 'classification', description: 'VGG16-style plain deep CNN.' }, out);
}

/** ResNet-18-style: stem, 4 stages of 2 basic residual blocks, GAP + softmax. */
export function resnet18(o: ArchitectureOptions = {}): NetworkSpec {
  const w = o.width ?? 0.5;
  const stages = o.depth ?? 4;
  const { b, x: input } = start();
  let x = b.convBnRelu(input, round(64 * w), 7, 2);
  x = b.add('MaxPool2D', x, { poolSize: 3, strides: 2, padding: 'same' });
  for (let s = 0; s < stages; s++) {
    const f = round(64 * 2 ** s * w);
    for (let k = 0; k < 2; k++) {
      const stride = s > 0 && k === 0 ? 2 : 1;
      const y1 = b.convBnRelu(x, f, 3, stride);
      const c2 = b.add('Conv2D', y1, { filters: f, kernelSize: 3, padding: 'same', useBias: false });
      const y2 = b.add('BatchNorm', c2);
      let shortcut = x;
      if (stride !== 1 || k === 0) {
        const sc = b.add('Conv2D', x, { filters: f, kernelSize: 1, strides: stride, useBias: false });
        shortcut = b.add('BatchNorm', sc);
      }
      const sum = b.add('Add', [y2, shortcut]);
      x = b.add('Activation', sum, { activation: 'relu' });
    }
  }
  const out = classifier(b, x, o.dropout ?? 0);
  return b.build(
    { name: 'resnet18', task: 'classification', description: 'ResNet-18-style residual network.' },
    out,
  );
}

/** DenseNet-121-style: dense blocks 6-12-24-16 (growth 32 x width) with transitions. */
export function densenet121(o: ArchitectureOptions = {}): NetworkSpec {
  const w = o.width ?? 0.5;
  const growth = round(32 * w);
  const blocks = [6, 12, 24, 16].slice(0, o.depth ?? 4);
  const { b, x: input } = start();
  let x = b.convBnRelu(input, 2 * growth, 7, 2);
  x = b.add('MaxPool2D', x, { poolSize: 3, strides: 2, padding: 'same' });
  let channels = 2 * growth;
  blocks.forEach((n, i) => {
    for (let j = 0; j < n; j++) {
      const bn1 = b.add('BatchNorm', x);
      const r1 = b.add('Activation', bn1, { activation: 'relu' });
      const c1 = b.add('Conv2D', r1, { filters: 4 * growth, kernelSize: 1, useBias: false });
      const bn2 = b.add('BatchNorm', c1);
      const r2 = b.add('Activation', bn2, { activation: 'relu' });
      const c2 = b.add('Conv2D', r2, { filters: growth, kernelSize: 3, useBias: false });
      x = b.add('Concatenate', [x, c2]);
      channels += growth;
    }
    if (i < blocks.length - 1) {
      channels = Math.floor(channels / 2);
      const bn = b.add('BatchNorm', x);
      const r = b.add('Activation', bn, { activation: 'relu' });
      const c = b.add('Conv2D', r, { filters: channels, kernelSize: 1, useBias: false });
      x = b.add('AvgPool2D', c, { poolSize: 2 });
    }
  });
  const bn = b.add('BatchNorm', x);
  x = b.add('Activation', bn, { activation: 'relu' });
  const out = classifier(b, x, o.dropout ?? 0);
  return b.build(
    {
      name: 'densenet121',
      task: 'classification',
      description: 'DenseNet-121-style densely connected network.',
    },
    out,
  );
}

/** U-Net encoder/decoder with skip connections; returns the last decoder feature id. */
function unetBody(b: SpecBuilder, input: string, base: number, depth: number): string {
  const skips: string[] = [];
  let x = input;
  for (let i = 0; i < depth; i++) {
    x = b.convBnRelu(x, base * 2 ** i);
    x = b.convBnRelu(x, base * 2 ** i);
    skips.push(x);
    x = b.add('MaxPool2D', x, { poolSize: 2 });
  }
  x = b.convBnRelu(x, base * 2 ** depth);
  x = b.convBnRelu(x, base * 2 ** depth);
  for (let i = depth - 1; i >= 0; i--) {
    x = b.add('Conv2DTranspose', x, {
      filters: base * 2 ** i,
      kernelSize: 2,
      strides: 2,
      kernelInitializer: 'heNormal',
    });
    x = b.add('Concatenate', [x, skips[i]]);
    x = b.convBnRelu(x, base * 2 ** i);
    x = b.convBnRelu(x, base * 2 ** i);
  }
  return x;
}

/** U-Net for segmentation: softmax over `$classes` per pixel. */
export function unet(o: ArchitectureOptions = {}): NetworkSpec {
  const { b, x: input } = start();
  const x = unetBody(b, input, o.baseFilters ?? 16, o.depth ?? 3);
  const out = b.add(
    'Conv2D',
    x,
    { filters: '$classes', kernelSize: 1, activation: 'softmax', kernelInitializer: 'glorotUniform' },
    'mask',
  );
  return b.build(
    { name: 'unet', task: 'segmentation', description: 'U-Net: encoder-decoder with skip connections.' },
    out,
  );
}

/**
 * 3-D U-Net body for volumes (d, h, w, c): Conv3D blocks, 2x2x2 max pooling, 2x2x2 transposed
 * convolutions and skip connections; returns the last decoder feature id. Each side of the input
 * must divide by 2^depth (depth 2: multiples of 4). No batch normalization: tf.js layers
 * normalise only up to 4-D tensors.
 */
function unet3dBody(b: SpecBuilder, input: string, base: number, depth: number): string {
  const conv = (x: string, filters: number): string =>
    b.add('Conv3D', x, {
      filters,
      kernelSize: 3,
      padding: 'same',
      // Leaky: without batch normalization plain ReLUs died within a few epochs on the 3-D example.
      activation: 'leakyRelu',
      kernelInitializer: 'heNormal',
    });
  const skips: string[] = [];
  let x = input;
  for (let i = 0; i < depth; i++) {
    x = conv(conv(x, base * 2 ** i), base * 2 ** i);
    skips.push(x);
    x = b.add('MaxPool3D', x, { poolSize: 2 });
  }
  x = conv(x, base * 2 ** depth);
  for (let i = depth - 1; i >= 0; i--) {
    x = b.add('Conv3DTranspose', x, {
      filters: base * 2 ** i,
      kernelSize: 2,
      strides: 2,
      kernelInitializer: 'heNormal',
    });
    x = b.add('Concatenate', [x, skips[i]]);
    x = conv(x, base * 2 ** i);
  }
  return x;
}

/** The 3-D U-Net body with a 1x1x1 Conv3D head of `filters` channels per voxel. */
function unet3dWithHead(
  o: ArchitectureOptions,
  head: { filters: string; activation: 'softmax' | 'linear'; id: string },
  meta: Pick<NetworkSpec, 'name' | 'task' | 'description'>,
): NetworkSpec {
  const { b, x: input } = start();
  const x = unet3dBody(b, input, o.baseFilters ?? 8, o.depth ?? 2);
  // Key order as the shipped specs have it: the training key hashes the spec's JSON.
  const out = b.add(
    'Conv3D',
    x,
    { filters: head.filters, kernelSize: 1, activation: head.activation, kernelInitializer: 'glorotUniform' },
    head.id,
  );
  return b.build(meta, out);
}

/** 3-D U-Net for segmenting volumes: softmax over `$classes` per voxel. */
export function unet3d(o: ArchitectureOptions = {}): NetworkSpec {
  return unet3dWithHead(
    o,
    { filters: '$classes', activation: 'softmax', id: 'mask' },
    {
      name: 'unet3d',
      task: 'segmentation',
      description: '3-D U-Net for volumes: 3-D convolutions, pooling and up-sampling with skip connections.',
    },
  );
}

/** 3-D U-Net for volume-to-volume regression (denoising...): linear output with `$channels` channels per voxel. */
export function unet3dRegression(o: ArchitectureOptions = {}): NetworkSpec {
  return unet3dWithHead(
    o,
    { filters: '$channels', activation: 'linear', id: 'image' },
    {
      name: 'unet3d-regression',
      task: 'transformation',
      description: '3-D U-Net with a linear output for volume-to-volume tasks (denoising...).',
    },
  );
}

/**
 * 3-D CNN classifier for volumes: `depth` stages of two 3x3x3 Conv3D (leaky ReLU, He init) and
 * 2x2x2 max pooling, doubling the filters, then global average pooling, dropout and softmax: the
 * dense layer's size does not follow the input, so a trained network takes volumes of any size
 * (each side at least 2^depth). No batch normalization, as in the 3-D U-Net.
 */
export function cnn3d(o: ArchitectureOptions = {}): NetworkSpec {
  const base = o.baseFilters ?? 8;
  const depth = o.depth ?? 3;
  const { b, x: input } = start();
  let x = input;
  for (let i = 0; i < depth; i++) {
    for (let j = 0; j < 2; j++)
      x = b.add(
        'Conv3D',
        x,
        {
          filters: base * 2 ** i,
          kernelSize: 3,
          padding: 'same',
          activation: 'leakyRelu',
          kernelInitializer: 'heNormal',
        },
        `conv${i + 1}_${j + 1}`,
      );
    x = b.add('MaxPool3D', x, { poolSize: 2 }, `pool${i + 1}`);
  }
  const out = classifier(b, x, o.dropout ?? 0.2, 'GlobalAvgPool3D');
  return b.build(
    {
      name: 'cnn3d',
      task: 'classification',
      description:
        '3-D CNN for volumes: 3-D convolutions and pooling, then a dense softmax over the classes.',
    },
    out,
  );
}

/** U-Net for image-to-image regression (denoising...): linear output with `$channels` channels. */
export function unetRegression(o: ArchitectureOptions = {}): NetworkSpec {
  const { b, x: input } = start();
  const x = unetBody(b, input, o.baseFilters ?? 16, o.depth ?? 3);
  const out = b.add(
    'Conv2D',
    x,
    { filters: '$channels', kernelSize: 1, activation: 'linear', kernelInitializer: 'glorotUniform' },
    'image',
  );
  return b.build(
    {
      name: 'unet-regression',
      task: 'transformation',
      description: 'U-Net with a linear output for image-to-image tasks.',
    },
    out,
  );
}

/**
 * CenterNet-style anchor-free detector: a stride-4 feature map, then one
 * output concatenating a sigmoid heatmap per class, box size (w, h) and centre
 * offset (dx, dy), in units of grid cells.
 */
export function centernet(o: ArchitectureOptions = {}): NetworkSpec {
  const base = o.baseFilters ?? 16;
  const depth = Math.max(2, o.depth ?? 3);
  const { b, x: input } = start();
  let x = b.convBnRelu(input, base);
  const feats: string[] = [];
  for (let i = 1; i <= depth; i++) {
    x = b.convBnRelu(x, base * 2 ** i, 3, 2);
    x = b.convBnRelu(x, base * 2 ** i);
    feats.push(x);
  }
  // Upsample deeper features back to stride 4 and merge (a small FPN).
  let y = feats[depth - 1];
  for (let i = depth - 1; i >= 2; i--) {
    y = b.add('UpSampling2D', y, { size: 2 });
    y = b.add('Concatenate', [y, feats[i - 1]]);
    y = b.convBnRelu(y, base * 4);
  }
  const h1 = b.convBnRelu(y, base * 2);
  const heat = b.add(
    'Conv2D',
    h1,
    { filters: '$classes', kernelSize: 1, activation: 'sigmoid', kernelInitializer: 'glorotUniform' },
    'heatmap',
  );
  const s1 = b.convBnRelu(y, base * 2);
  const size = b.add(
    'Conv2D',
    s1,
    { filters: 4, kernelSize: 1, activation: 'linear', kernelInitializer: 'glorotUniform' },
    'size_offset',
  );
  const out = b.add('Concatenate', [heat, size], {}, 'detections');
  return b.build(
    {
      name: 'centernet',
      task: 'detection',
      description: 'CenterNet-style detector: class heatmaps + box size and offset at 1/4 resolution.',
      outputStride: 4,
    },
    out,
  );
}

/** Built-in architectures by id, with the task each serves. */
export const ARCHITECTURES = {
  'small-cnn': smallCnn,
  vgg16,
  resnet18,
  densenet121,
  unet,
  unet3d,
  cnn3d,
  'unet-regression': unetRegression,
  'unet3d-regression': unet3dRegression,
  centernet,
} as const;

/** Id of a built-in architecture. */
export type ArchitectureId = keyof typeof ARCHITECTURES;
