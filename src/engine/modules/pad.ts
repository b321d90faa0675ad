/** Pad: add pixels on each side. */
import { z } from 'zod';
import { defineModule } from './define';
import { padArray, type PadMode } from './ops/geometry';
import { valueParam } from './support/params';
import { mapSlices, transformAffine } from './support/spatial';

const side = (name: string): z.ZodDefault<z.ZodNumber> =>
  z.number().int().min(0).max(4096).default(0).describe(`Pixels added at the ${name} (0 to 4096).`);

const MODES: Record<'constant' | 'edge' | 'reflect' | 'symmetric', PadMode> = {
  constant: 'constant',
  edge: 'replicate',
  reflect: 'reflect101',
  symmetric: 'reflect',
};

/** The `pad` module. */
export const padModule = defineModule({
  id: 'pad',
  version: 1,
  title: 'Pad',
  category: 'Geometry',
  description:
    'Adds pixels around the image. Modes follow numpy.pad: constant (a value), edge (repeat the border pixel), ' +
    'reflect (mirror without repeating the edge, OpenCV BORDER_REFLECT_101), symmetric (mirror with the edge). ' +
    'Masks are padded with class 0 and boxes shifted.',
  params: z.object({
    top: side('top'),
    bottom: side('bottom'),
    left: side('left'),
    right: side('right'),
    mode: z
      .enum(['constant', 'edge', 'reflect', 'symmetric'])
      .default('constant')
      .describe('How new pixels are filled: constant, edge, reflect or symmetric (numpy.pad names).'),
    value: valueParam(0, 'Fill value in constant mode'),
  }),
  run(sample, p) {
    const pads = { top: p.top, bottom: p.bottom, left: p.left, right: p.right };
    return transformAffine(sample, 'pad', [1, 0, p.left, 0, 1, p.top], (img, role) =>
      mapSlices(img, (data, size) => ({
        data: padArray(
          data,
          size,
          pads,
          role === 'mask' ? 'constant' : MODES[p.mode],
          role === 'mask' ? 0 : p.value,
        ),
        height: size.height + p.top + p.bottom,
        width: size.width + p.left + p.right,
        channels: size.channels,
      })),
    );
  },
});
