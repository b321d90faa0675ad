/** Resample to spacing: make every image the same millimetres per pixel. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { resizeArray } from './ops/resample';
import { mapSlices, transformAffine } from './support/spatial';

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
    'Resizes in-plane so one pixel covers the target millimetres (new size = round(size x spacing / target)), ' +
    "using the image's spacing (DICOM PixelSpacing, NIfTI pixdim). 3-D volumes keep their slices. " +
    'Images without a known spacing are an error. Masks use nearest, boxes are scaled.',
  params: z.object({
    spacingX: mm('x (columns)'),
    spacingY: mm('y (rows)'),
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
    return transformAffine(
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
  },
});
