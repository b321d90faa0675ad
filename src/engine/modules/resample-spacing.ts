/** Resample to spacing: make every image the same millimetres per pixel. */
import { z } from 'zod';
import type { ImageData } from '../api';
import { geometry, isVolume } from '../imaging/image';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { resampleSlices, resizeArray } from './ops/resample';
import { mapSlices, transformAffine, transformSpatial, type ImageRole } from './support/spatial';

const mm = (axis: string): z.ZodDefault<z.ZodNumber> =>
  z
    .number()
    .min(0.001)
    .max(100)
    .default(1)
    .describe(`Target pixel size along ${axis} in millimetres (0.001 to 100).`);

/** The `resample-spacing` module. */
export const resampleSpacingModule = defineModule({
  id: 'resample-spacing',
  version: 1,
  title: 'Resample to Spacing',
  category: 'Geometry',
  description:
    'Resizes so one pixel covers the target millimetres (new size = round(size x spacing / target)), ' +
    "using the image's spacing (DICOM PixelSpacing and slice gaps, NIfTI pixdim). Volumes are also " +
    'resampled across slices when spacingZ is set (0 keeps the slices), with the same interpolation. ' +
    'Images without a known spacing are an error. Masks use nearest, boxes are scaled; the step is ' +
    'recorded, so predictions map back to the source grid.',
  params: z.object({
    spacingX: mm('x (columns)'),
    spacingY: mm('y (rows)'),
    spacingZ: z
      .number()
      .min(0)
      .max(100)
      .default(0)
      .describe('Target slice spacing of volumes in millimetres (0 keeps the slices; up to 100).'),
    interpolation: z
      .enum(['nearest', 'bilinear', 'bicubic', 'area'])
      .default('bilinear')
      .describe('How new pixel values are computed: nearest, bilinear, bicubic or area.'),
  }),
  async run(sample, p) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    const sp = sample.image.spacing;
    if (!sp || sp.length < 2)
      throw new Error(
        `Sample ${sample.id} has no pixel spacing; Resample to Spacing needs DICOM or NIfTI data`,
      );
    const g = geometry(sample.image);
    const sy = sp[sp.length - 2];
    const sx = sp[sp.length - 1];
    const height = Math.max(1, Math.round((g.height * sy) / p.spacingY));
    const width = Math.max(1, Math.round((g.width * sx) / p.spacingX));
    const inPlane = transformAffine(
      sample,
      'resample-spacing',
      [width / g.width, 0, 0, 0, height / g.height, 0],
      (img, role) => {
        const r = mapSlices(img, (data, size) => ({
          data: resizeArray(data, size, { height, width }, role === 'mask' ? 'nearest' : p.interpolation),
          height,
          width,
          channels: size.channels,
        }));
        // Actual spacing after rounding the size, so measurements stay right.
        const s = sp.slice();
        s[s.length - 2] = (sy * g.height) / height;
        s[s.length - 1] = (sx * g.width) / width;
        return { ...r, spacing: s };
      },
    );
    const volume = isVolume(sample.image);
    if (!volume || p.spacingZ === 0) return inPlane;
    if (sp.length < 3)
      throw new Error(
        `Sample ${sample.id} has no slice spacing; set spacingZ to 0 to resample in-plane only`,
      );
    const depth = Math.max(1, Math.round((g.depth * sp[0]) / p.spacingZ));
    const acrossSlices = (img: ImageData, role: ImageRole): ImageData => {
      const c = geometry(img).channels;
      const sliceValues = img.data.length / g.depth;
      const data = resampleSlices(
        img.data,
        g.depth,
        sliceValues,
        depth,
        role === 'mask' ? 'nearest' : p.interpolation,
      );
      const shape = [depth, ...img.shape.slice(1, -1), c];
      // The slice spacing the rounded depth gives, so measurements stay right.
      const spacing = img.spacing && [(sp[0] * g.depth) / depth, ...img.spacing.slice(1)];
      return { ...img, data, shape, ...(spacing ? { spacing } : {}) };
    };
    const out = transformSpatial(inPlane, acrossSlices);
    // The slice axis scales by depth / source depth (slice k covering [k, k + 1)); in-plane as recorded.
    const steps = out.geometry ?? [];
    const last = steps[steps.length - 1];
    const step = { ...last, depth: { from: g.depth, to: depth, scale: depth / g.depth, offset: 0 } };
    return { ...out, geometry: [...steps.slice(0, -1), step] };
  },
});
