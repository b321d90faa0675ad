/** Display windowing: map values through a center/width window to 0..255. */
import type { PixelArray } from '../api';

/** A display window in the image's unit (HU for CT). */
export interface DisplayWindow {
  center: number;
  width: number;
}

/**
 * Maps values linearly so `center - width/2` is 0 and `center + width/2` is 255,
 * clamped, rounded. A zero-width window (flat image) maps everything to 0.
 */
export function windowToBytes(values: PixelArray, window: DisplayWindow): Uint8Array {
  const out = new Uint8Array(values.length);
  const lo = window.center - window.width / 2;
  // Divide rather than multiply by 255/width: the exact halves (e.g. HU 40 in 40/400) then round up.
  const width = window.width > 0 ? window.width : Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = ((values[i] - lo) * 255) / width;
    out[i] = v <= 0 || v !== v ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}
