/** Data manipulation modules: Filter drops samples, Merge combines two inputs. */
import { describe, expect, it } from 'vitest';
import { filterModule } from './filter';
import { mergeModule } from './merge';
import { ctxWith, img, smp, values } from '../test-support/samples';

const ctx = ctxWith();

describe('filter', () => {
  it('keeps or drops by class index', async () => {
    const s = smp(img(new Uint8Array(4), 2, 2), { kind: 'class', index: 2 });
    expect(await filterModule.run(s, filterModule.params.parse({ classIndices: [1, 2] }), ctx)).toBe(s);
    expect(await filterModule.run(s, filterModule.params.parse({ classIndices: [0] }), ctx)).toBeNull();
    expect(
      await filterModule.run(s, filterModule.params.parse({ classIndices: [2], action: 'drop' }), ctx),
    ).toBeNull();
  });
  it('filters by size and by metadata', async () => {
    const s = smp(img(new Uint8Array(6), 2, 3), undefined, 'train', { Modality: 'CT', SliceThickness: 5 });
    expect(await filterModule.run(s, filterModule.params.parse({ by: 'size', minWidth: 4 }), ctx)).toBeNull();
    expect(await filterModule.run(s, filterModule.params.parse({ by: 'size', maxHeight: 2 }), ctx)).toBe(s);
    expect(
      await filterModule.run(
        s,
        filterModule.params.parse({ by: 'metadata', key: 'SliceThickness', value: '5' }),
        ctx,
      ),
    ).toBe(s);
    expect(
      await filterModule.run(
        s,
        filterModule.params.parse({ by: 'metadata', key: 'Modality', value: 'MR' }),
        ctx,
      ),
    ).toBeNull();
  });
});

describe('merge', () => {
  const a = smp(img(new Uint8Array([10, 200]), 1, 2), { kind: 'class', index: 1 });
  const b = smp(img(new Uint8Array([20, 100]), 1, 2));
  const run = (operation: 'concatenate' | 'add' | 'subtract' | 'multiply' | 'mean', bb = b) =>
    mergeModule.run(a, { operation }, ctxWith([0], 'train', { a, b: bb }));
  it("concatenates channels (a first) and keeps a's label", async () => {
    const out = await run('concatenate');
    expect(out?.image.shape).toEqual([1, 2, 2]);
    expect(values(out)).toEqual([10, 20, 200, 100]);
    expect(out?.label).toEqual({ kind: 'class', index: 1 });
  });
  it('arithmetic saturates in the shared dtype; mixed dtypes give float32', async () => {
    expect(values(await run('add'))).toEqual([30, 255]);
    expect(values(await run('subtract'))).toEqual([0, 100]);
    expect(values(await run('mean'))).toEqual([15, 150]);
    const f = smp(img(new Float32Array([0.5, 2]), 1, 2));
    const out = await run('multiply', f);
    expect(out?.image.data).toBeInstanceOf(Float32Array);
    expect(values(out)).toEqual([5, 400]);
  });
  it('names both sizes when inputs differ', async () => {
    await expect(async () => run('add', smp(img(new Uint8Array(3), 1, 3)))).rejects.toThrow(
      /a is 1x2x1, b is 1x3x1/,
    );
  });
});
