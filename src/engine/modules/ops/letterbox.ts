/** Keep-aspect-ratio resize: scale to fit inside a box, centre, pad the rest (letterbox). */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, saturate } from '../../imaging/image';
import { resizeArray, type Interpolation } from './resample';

/** Where the scaled image lands inside the output, and the function that puts it there. */
export interface Letterbox {
  innerHeight: number;
  innerWidth: number;
  top: number;
  left: number;
  apply(src: PixelArray, channels: number, interpolation: Interpolation, padValue: number): PixelArray;
}

/** Plans a letterbox of a `height x width` image into `out`; the scale is the smaller of the two ratios. */
export function letterbox(
  src: { height: number; width: number },
  out: { height: number; width: number },
): Letterbox {
  const scale = Math.min(out.height / src.height, out.width / src.width);
  const innerHeight = Math.max(1, Math.min(out.height, Math.round(src.height * scale)));
  const innerWidth = Math.max(1, Math.min(out.width, Math.round(src.width * scale)));
  const top = Math.floor((out.height - innerHeight) / 2);
  const left = Math.floor((out.width - innerWidth) / 2);
  return {
    innerHeight,
    innerWidth,
    top,
    left,
    apply(data, channels, interpolation, padValue) {
      const inner = resizeArray(
        data,
        { height: src.height, width: src.width, channels },
        { height: innerHeight, width: innerWidth },
        interpolation,
      );
      const dtype = dtypeOf(data);
      const dst = allocate(dtype, out.height * out.width * channels).fill(saturate(padValue, dtype));
      const row = innerWidth * channels;
      for (let y = 0; y < innerHeight; y++)
        dst.set(inner.subarray(y * row, (y + 1) * row), ((top + y) * out.width + left) * channels);
      return dst;
    },
  };
}
