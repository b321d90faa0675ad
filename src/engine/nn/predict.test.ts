import { expect, it } from 'vitest';
import { classMask } from './predict';

it('classMask picks each pixel’s most probable class, the first on a tie', () => {
  // Three pixels x three classes, channel-last.
  const out = Float32Array.of(0.1, 0.7, 0.2, 0.5, 0.2, 0.3, 0.4, 0.2, 0.4);
  expect(Array.from(classMask(out, 3, 3))).toEqual([1, 0, 0]);
});
