/**
 * The rules every runner shares: a module's random stream depends on (seed,
 * node, item), a chain at inference leaves training augmentations out, and
 * NaN or infinite outputs fail the item.
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { defineModule } from '../modules/define';
import { randomFlipModule } from '../modules/random-flip';
import { z } from 'zod';
import { applyChain, runStep, type ChainStep } from './chain';

/** A 4x1 ramp, so a horizontal flip shows. */
function ramp(id: string, split?: Sample['split']): Sample {
  return {
    id,
    split,
    meta: {},
    image: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4, 1], colorMode: 'grayscale' },
  };
}

const flip = {
  type: randomFlipModule,
  params: randomFlipModule.params.parse({ probability: 0.5, axis: 'horizontal' }),
};

describe('a module step', () => {
  it('draws the same stream for the same seed, node and item, and another for another item', async () => {
    const outputs = async (id: string, seed: number): Promise<number[]> => {
      const out = await runStep(flip.type, flip.params, ramp(id, 'train'), {
        nodeId: 'flip',
        seed,
        split: 'train',
      });
      return [...(out?.image.data ?? [])];
    };
    const firsts = await Promise.all(Array.from({ length: 16 }, (_, i) => outputs(`item-${i}`, 7)));
    expect(await Promise.all(Array.from({ length: 16 }, (_, i) => outputs(`item-${i}`, 7)))).toEqual(firsts);
    // Over 16 items at probability 0.5 both outcomes occur.
    expect(new Set(firsts.map((o) => o[0]))).toEqual(new Set([1, 4]));
  });

  it('fails an item whose output is not a number, naming how many values', async () => {
    const broken = defineModule({
      id: 'divide-by-zero',
      version: 1,
      title: 'Divide by zero',
      category: 'Test',
      description: 'Turns every value into infinity.',
      params: z.object({}),
      run: (s) => ({ ...s, image: { ...s.image, data: s.image.data.map((v) => v / 0) } }),
    });
    await expect(runStep(broken, {}, ramp('a'), { nodeId: 'x', seed: 1 })).rejects.toThrow(
      /produced 4 values that are not finite numbers/,
    );
  });
});

describe('a chain at inference', () => {
  it('leaves a training augmentation out, whatever split the item came from', async () => {
    const chain: ChainStep[] = [
      {
        node: {
          id: 'flip',
          kind: 'module',
          type: 'random-flip',
          version: 1,
          params: {},
          position: { x: 0, y: 0 },
        },
        type: flip.type,
        params: randomFlipModule.params.parse({ probability: 1, axis: 'horizontal' }),
      },
    ];
    const out = await applyChain(chain, ramp('a', 'train'));
    expect([...(out?.image.data ?? [])]).toEqual([1, 2, 3, 4]);
  });
});
