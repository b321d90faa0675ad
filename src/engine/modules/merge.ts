/** Merge: combine two inputs by channel concatenation or arithmetic. */
import { z } from 'zod';
import type { PixelArray } from '../api';
import { dtypeOf } from '../api';
import { allocate, fromFloat, geometry } from '../imaging/image';
import { defineModule } from './define';
import { withImage } from './support/spatial';

/** The `merge` module. */
export const mergeModule = defineModule({
  id: 'merge',
  version: 1,
  title: 'Merge',
  category: 'Data',
  description:
    'Combines the samples with the same id from inputs a and b: concatenate stacks their channels (a first); ' +
    'add, subtract (a - b), multiply and mean work per value. Spatial sizes must match. Same dtypes keep the ' +
    'dtype (saturated), different dtypes give float32. The label and metadata come from a.',
  inputs: ['a', 'b'],
  params: z.object({
    operation: z
      .enum(['concatenate', 'add', 'subtract', 'multiply', 'mean'])
      .default('concatenate')
      .describe('concatenate channels, or add, subtract (a - b), multiply, mean per value.'),
  }),
  produces: (input, p) => (p.operation === 'concatenate' ? { ...input, colorMode: 'unknown' } : input),
  run(sample, p, ctx) {
    const a = ctx.inputs.a ?? sample;
    const b = ctx.inputs.b;
    if (!b) throw new Error(`Merge needs a sample "${sample.id}" on input b`);
    const ga = geometry(a.image);
    const gb = geometry(b.image);
    if (ga.height !== gb.height || ga.width !== gb.width || ga.depth !== gb.depth)
      throw new Error(
        `Merge inputs differ in size for ${sample.id}: a is ${a.image.shape.join('x')}, b is ${b.image.shape.join('x')}`,
      );
    const da = a.image.data;
    const db = b.image.data;
    const dtype = dtypeOf(da) === dtypeOf(db) ? dtypeOf(da) : 'float32';
    if (p.operation === 'concatenate') {
      const c = ga.channels + gb.channels;
      const n = ga.depth * ga.height * ga.width;
      const out: PixelArray = allocate(dtype, n * c);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < ga.channels; k++) out[i * c + k] = da[i * ga.channels + k];
        for (let k = 0; k < gb.channels; k++) out[i * c + ga.channels + k] = db[i * gb.channels + k];
      }
      const shape = a.image.shape.slice(0, -1).concat(c);
      return withImage(a, { ...a.image, data: out, shape, colorMode: c === 3 ? 'rgb' : 'grayscale' });
    }
    if (ga.channels !== gb.channels)
      throw new Error(
        `Merge ${p.operation} needs the same channels: a has ${ga.channels}, b has ${gb.channels}`,
      );
    const f = new Float64Array(da.length);
    for (let i = 0; i < f.length; i++) {
      const x = da[i];
      const y = db[i];
      f[i] =
        p.operation === 'add'
          ? x + y
          : p.operation === 'subtract'
            ? x - y
            : p.operation === 'multiply'
              ? x * y
              : (x + y) / 2;
    }
    return withImage(a, { ...a.image, data: fromFloat(f, dtype) });
  },
});
