/** Colour conversions on interleaved arrays. */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, dtypeRange, rint } from '../../imaging/image';

/** ITU-R BT.601 luma weights (OpenCV COLOR_RGB2GRAY, PIL "L"). */
export const BT601 = [0.299, 0.587, 0.114] as const;

/** RGB `[n, 3]` to grayscale `[n, 1]` in the same dtype: Y = 0.299 R + 0.587 G + 0.114 B. */
export function rgbToGray(src: PixelArray): PixelArray {
  const n = src.length / 3;
  const dtype = dtypeOf(src);
  const out = allocate(dtype, n);
  const range = dtypeRange(dtype);
  const [wr, wg, wb] = BT601;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const y = wr * src[j] + wg * src[j + 1] + wb * src[j + 2];
    // A weighted mean of in-range values stays in range: only rounding is needed.
    out[i] = range ? rint(y) : y;
  }
  return out;
}

/** Grayscale `[n, 1]` to RGB `[n, 3]` by copying the value into the three channels. */
export function grayToRgb(src: PixelArray): PixelArray {
  const n = src.length;
  const out = allocate(dtypeOf(src), n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const v = src[i];
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
  }
  return out;
}
