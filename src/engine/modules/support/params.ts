/** Shared zod param pieces, so the same parameter reads the same everywhere. */
import { z } from 'zod';

/** Largest magnitude accepted for a pixel value parameter (covers HU, 16-bit and float data). */
export const VALUE_LIMIT = 1e9;

/** A pixel value in the image's own unit. */
export function valueParam(defaultValue: number, what: string): z.ZodDefault<z.ZodNumber> {
  return z
    .number()
    .min(-VALUE_LIMIT)
    .max(VALUE_LIMIT)
    .default(defaultValue)
    .describe(`${what}, in the image's unit (HU for CT, raw value otherwise; -1e9 to 1e9).`);
}

/** Probability that a random augmentation is applied to a training sample. */
export const probabilityParam = z
  .number()
  .min(0)
  .max(1)
  .default(0.5)
  .describe('Chance that the augmentation is applied to a training sample (0 to 1).');

/** Interpolation of warps (masks always use nearest). */
export const warpInterpolationParam = z
  .enum(['nearest', 'bilinear'])
  .default('bilinear')
  .describe('How warped pixel values are computed: nearest or bilinear (masks always use nearest).');
