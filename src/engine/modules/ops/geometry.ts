/** Exact geometric rearrangements of interleaved `[h, w, c]` arrays: crop, pad, flip, rotate by 90. */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, saturate } from '../../imaging/image';
import { borderIndex, type BorderMode } from './border';

/** Size of one interleaved 2-D array. */
export interface Size2D {
  height: number;
  width: number;
  channels: number;
}

/** A rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Copies the rectangle `r` (must lie inside the image). */
export function cropArray(src: PixelArray, s: Size2D, r: Rect): PixelArray {
  const c = s.channels;
  const out = allocate(dtypeOf(src), r.width * r.height * c);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * s.width + r.x) * c;
    out.set(src.subarray(from, from + r.width * c), y * r.width * c);
  }
  return out;
}

/** Padding mode: a constant value, or OpenCV border modes. */
export type PadMode = 'constant' | BorderMode;

/** Pads by the given pixel counts (`reflect101` is numpy's 'reflect', `reflect` numpy's 'symmetric'). */
export function padArray(
  src: PixelArray,
  s: Size2D,
  pad: { top: number; bottom: number; left: number; right: number },
  mode: PadMode,
  value = 0,
): PixelArray {
  const c = s.channels;
  const ow = s.width + pad.left + pad.right;
  const oh = s.height + pad.top + pad.bottom;
  const dtype = dtypeOf(src);
  const out = allocate(dtype, ow * oh * c);
  const fill = saturate(value, dtype);
  for (let y = 0; y < oh; y++) {
    const sy = y - pad.top;
    const inY = sy >= 0 && sy < s.height;
    for (let x = 0; x < ow; x++) {
      const sx = x - pad.left;
      const d = (y * ow + x) * c;
      if (mode === 'constant' && (!inY || sx < 0 || sx >= s.width)) {
        for (let k = 0; k < c; k++) out[d + k] = fill;
        continue;
      }
      const yy = mode === 'constant' ? sy : borderIndex(sy, s.height, mode);
      const xx = mode === 'constant' ? sx : borderIndex(sx, s.width, mode);
      const o = (yy * s.width + xx) * c;
      for (let k = 0; k < c; k++) out[d + k] = src[o + k];
    }
  }
  return out;
}

/** Mirrors left-right (`horizontal`), top-bottom (`vertical`) or both. */
export function flipArray(src: PixelArray, s: Size2D, axis: 'horizontal' | 'vertical' | 'both'): PixelArray {
  const { height: h, width: w, channels: c } = s;
  const out = allocate(dtypeOf(src), src.length);
  const fx = axis !== 'vertical';
  const fy = axis !== 'horizontal';
  for (let y = 0; y < h; y++) {
    const sy = fy ? h - 1 - y : y;
    for (let x = 0; x < w; x++) {
      const sx = fx ? w - 1 - x : x;
      const d = (y * w + x) * c;
      const o = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) out[d + k] = src[o + k];
    }
  }
  return out;
}

/** Rotates by 90 degrees clockwise (`cw`), counter-clockwise (`ccw`) or by 180; output `[w, h, c]` for 90. */
export function rotate90Array(src: PixelArray, s: Size2D, direction: 'cw' | 'ccw' | '180'): PixelArray {
  if (direction === '180') return flipArray(src, s, 'both');
  const { height: h, width: w, channels: c } = s;
  const out = allocate(dtypeOf(src), src.length);
  // Output is h' = w rows, w' = h columns.
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < h; x++) {
      const sy = direction === 'cw' ? h - 1 - x : x;
      const sx = direction === 'cw' ? y : w - 1 - y;
      const d = (y * h + x) * c;
      const o = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) out[d + k] = src[o + k];
    }
  }
  return out;
}
