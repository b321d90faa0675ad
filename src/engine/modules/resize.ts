/** Resize: scale to a width and height, optionally keeping the aspect ratio with padding. */
import { z } from 'zod';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { geometry } from '../imaging/image';
import { resizeArray } from './ops/resample';
import { letterbox } from './ops/letterbox';
import { valueParam } from './support/params';
import { mapSlices, transformAffine } from './support/spatial';

/** The `resize` module (stable id and param names). */
export const resizeModule = defineModule({
  id: 'resize',
  version: 1,
  title: 'Resize',
  category: 'Geometry',
  description:
    'Scales each image to a fixed width and height. Bilinear and bicubic use half-pixel centres like ' +
    'OpenCV (INTER_LINEAR / INTER_CUBIC); area averages pixel boxes when shrinking (INTER_AREA). ' +
    'Masks are resized with nearest, boxes are scaled with the image. 16-bit and float data keep their type.',
  params: z.object({
    width: z.number().int().min(1).max(16384).default(256).describe('Output width in pixels (1 to 16384).'),
    height: z.number().int().min(1).max(16384).default(256).describe('Output height in pixels (1 to 16384).'),
    interpolation: z
      .enum(['nearest', 'bilinear', 'bicubic', 'area'])
      .default('bilinear')
      .describe(
        'How new pixel values are computed: nearest, bilinear, bicubic or area (best for shrinking).',
      ),
    keepAspectRatio: z
      .boolean()
      .default(false)
      .describe('Fit inside width x height without distortion and pad the rest (letterbox); no unit.'),
    padValue: valueParam(0, 'Pixel value of the padding when keeping the aspect ratio'),
  }),
  async run(sample, p) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    const { height: h, width: w } = geometry(sample.image);
    if (!p.keepAspectRatio) {
      return transformAffine(sample, 'resize', [p.width / w, 0, 0, 0, p.height / h, 0], (img, role) =>
        mapSlices(img, (data, size) => ({
          data: resizeArray(data, size, p, role === 'mask' ? 'nearest' : p.interpolation),
          height: p.height,
          width: p.width,
          channels: size.channels,
        })),
      );
    }
    const fit = letterbox({ height: h, width: w }, p);
    return transformAffine(
      sample,
      'resize',
      [fit.innerWidth / w, 0, fit.left, 0, fit.innerHeight / h, fit.top],
      (img, role) =>
        mapSlices(img, (data, size) => ({
          data: fit.apply(
            data,
            size.channels,
            role === 'mask' ? 'nearest' : p.interpolation,
            role === 'mask' ? 0 : p.padValue,
          ),
          height: p.height,
          width: p.width,
          channels: size.channels,
        })),
    );
  },
});
