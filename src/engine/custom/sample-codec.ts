/**
 * Samples across the sandbox boundary: JSON text plus a list of typed arrays
 * (so that pixels are never turned into JSON), and the checks a returned
 * sample must pass before it goes back into the pipeline.
 */
import { z } from 'zod';
import type { Label, PixelArray, Sample } from '../api';
import { ARRAY_MARKER } from './sandbox/protocol';

/** A sample as JSON text with its typed arrays listed apart. */
export interface EncodedSample {
  json: string;
  arrays: PixelArray[];
}

function isPixelArray(value: unknown): value is PixelArray {
  return (
    value instanceof Float32Array ||
    value instanceof Uint8Array ||
    value instanceof Uint16Array ||
    value instanceof Int16Array
  );
}

/** Encodes a sample: typed arrays become `{ __phiArray: index }` (the caller's arrays are not touched). */
export function encodeSample(sample: Sample): EncodedSample {
  const arrays: PixelArray[] = [];
  const json = JSON.stringify(sample, (_key, value: unknown) => {
    if (isPixelArray(value)) return { [ARRAY_MARKER]: arrays.push(value) - 1 };
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name}]`;
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
  return { json, arrays };
}

/** Parses JSON text made by {@link encodeSample} (or by the sandbox), putting the arrays back. */
export function decodeValue(json: string, arrays: PixelArray[]): unknown {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && ARRAY_MARKER in value) {
      const index = (value as Record<string, unknown>)[ARRAY_MARKER];
      return typeof index === 'number' ? arrays[index] : undefined;
    }
    return value;
  });
}

const PixelArraySchema = z.custom<PixelArray>(isPixelArray, {
  message: 'must be a Float32Array, Uint8Array, Uint16Array or Int16Array',
});

const ImageSchema = z
  .object({
    data: PixelArraySchema,
    shape: z.array(z.number().int().positive()).min(3).max(4),
    colorMode: z.enum(['grayscale', 'rgb']),
    modality: z.string().optional(),
    spacing: z.array(z.number().positive()).optional(),
    unit: z.enum(['HU', 'raw', 'normalized']).optional(),
  })
  .superRefine((image, ctx) => {
    const count = image.shape.reduce((a, b) => a * b, 1);
    if (count !== image.data.length)
      ctx.addIssue({
        code: 'custom',
        path: ['shape'],
        message: `[${image.shape.join(', ')}] holds ${count} values but data has ${image.data.length}: set shape to match data`,
      });
    const channels = image.shape[image.shape.length - 1];
    const wanted = image.colorMode === 'grayscale' ? [1] : [3, 4];
    if (!wanted.includes(channels))
      ctx.addIssue({
        code: 'custom',
        path: ['colorMode'],
        message: `is "${image.colorMode}" but the last axis of shape (channels) is ${channels}`,
      });
  });

const LabelSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('class'),
    index: z.number().int().nonnegative(),
    multi: z.array(z.number()).optional(),
  }),
  z.object({ kind: z.literal('mask'), mask: ImageSchema }),
  z.object({
    kind: z.literal('boxes'),
    boxes: z.array(
      z.object({
        xmin: z.number(),
        ymin: z.number(),
        xmax: z.number(),
        ymax: z.number(),
        classIndex: z.number().int().nonnegative(),
      }),
    ),
  }),
  z.object({ kind: z.literal('target'), target: ImageSchema }),
]);

const ReturnedSampleSchema = z.object({
  image: ImageSchema,
  label: LabelSchema.optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
});

/** Spatial part of a shape (without the channel axis). */
function spatial(shape: number[]): string {
  return shape.slice(0, -1).join('x');
}

/**
 * Checks what a custom module returned and makes it a Sample. The id, split and
 * geometry record stay the input's (they identify the item for the cache and the
 * Files tab, and map outputs back to the source image).
 * Throws with a message naming the wrong field.
 */
export function checkReturnedSample(value: unknown, input: Sample): Sample {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('run() must return the sample (data) or null');
  const parsed = ReturnedSampleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `the returned sample's ${['data', ...issue.path.map(String)].join('.')} ${issue.message}`,
    );
  }
  const { image, meta } = parsed.data;
  const label = parsed.data.label as Label | undefined;
  if (label?.kind === 'mask' && spatial(label.mask.shape) !== spatial(image.shape))
    throw new Error(
      `the returned mask is ${spatial(label.mask.shape)} but the image is ${spatial(image.shape)}: transform data.label.mask with the image`,
    );
  const sample: Sample = { id: input.id, image, meta };
  if (label) sample.label = label;
  if (input.split) sample.split = input.split;
  // Kept, not extended: a module that changes the size unrecorded makes the record disagree with the image.
  if (input.geometry) sample.geometry = input.geometry;
  return sample;
}
