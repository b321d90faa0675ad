/**
 * CenterNet-style encoding and decoding: truth boxes become per-class
 * Gaussian heatmaps plus size/offset targets at the output stride; network
 * outputs become scored boxes via 3x3 peak picking and per-class NMS.
 * Output channels: `[0, C)` heatmaps, then w, h (grid cells), dx, dy.
 */
import type { Box } from '../../api';
import { boxIou, type ScoredBox } from '../metrics/detection';

/** Targets of one image at grid size `gh x gw`. */
export interface CenterNetTargets {
  /** `[gh, gw, C]` Gaussian peaks at box centres. */
  heatmap: Float32Array;
  /** `[gh, gw, 4]`: w, h, dx, dy at centre cells. */
  regression: Float32Array;
  /** `[gh, gw, 1]`: 1 at centre cells. */
  mask: Float32Array;
}

/** Gaussian radius from CenterNet (min overlap 0.7), at least 0. */
function gaussianRadius(h: number, w: number): number {
  const minOverlap = 0.7;
  const b1 = h + w;
  const c1 = (w * h * (1 - minOverlap)) / (1 + minOverlap);
  const r1 = (b1 + Math.sqrt(b1 * b1 - 4 * c1)) / 2;
  const b2 = 2 * (h + w);
  const c2 = (1 - minOverlap) * w * h;
  const r2 = (b2 + Math.sqrt(b2 * b2 - 16 * c2)) / 8;
  const a3 = 4 * minOverlap;
  const b3 = -2 * minOverlap * (h + w);
  const c3 = (minOverlap - 1) * w * h;
  const r3 = (b3 + Math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
  return Math.max(0, Math.floor(Math.min(r1, r2, r3)));
}

/** Encodes boxes (input pixel coordinates) for a grid of `gh x gw` cells at `stride`. */
export function encodeBoxes(
  boxes: Box[],
  classes: number,
  gh: number,
  gw: number,
  stride: number,
): CenterNetTargets {
  const heatmap = new Float32Array(gh * gw * classes);
  const regression = new Float32Array(gh * gw * 4);
  const mask = new Float32Array(gh * gw);
  for (const b of boxes) {
    const cx = (b.xmin + b.xmax) / 2 / stride;
    const cy = (b.ymin + b.ymax) / 2 / stride;
    const w = (b.xmax - b.xmin) / stride;
    const h = (b.ymax - b.ymin) / stride;
    const ix = Math.min(gw - 1, Math.max(0, Math.floor(cx)));
    const iy = Math.min(gh - 1, Math.max(0, Math.floor(cy)));
    const r = gaussianRadius(Math.ceil(h), Math.ceil(w));
    const sigma = (2 * r + 1) / 6;
    for (let y = Math.max(0, iy - r); y <= Math.min(gh - 1, iy + r); y++)
      for (let x = Math.max(0, ix - r); x <= Math.min(gw - 1, ix + r); x++) {
        const v = Math.exp(-((x - ix) ** 2 + (y - iy) ** 2) / (2 * sigma * sigma));
        const k = (y * gw + x) * classes + b.classIndex;
        heatmap[k] = Math.max(heatmap[k], v);
      }
    const cell = iy * gw + ix;
    regression.set([w, h, cx - ix, cy - iy], cell * 4);
    mask[cell] = 1;
  }
  return { heatmap, regression, mask };
}

/** Greedy per-class non-maximum suppression. */
export function nms(boxes: ScoredBox[], iouThreshold: number): ScoredBox[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: ScoredBox[] = [];
  for (const b of sorted)
    if (!kept.some((k) => k.classIndex === b.classIndex && boxIou(k, b) > iouThreshold)) kept.push(b);
  return kept;
}

/**
 * Decodes one image's output `[gh, gw, C + 4]` into boxes in input pixels:
 * local maxima (3x3) of each heatmap above `threshold`, then NMS at IoU 0.5.
 */
export function decodeOutput(
  out: Float32Array,
  gh: number,
  gw: number,
  classes: number,
  stride: number,
  threshold: number,
  maxBoxes = 100,
): ScoredBox[] {
  const ch = classes + 4;
  const boxes: ScoredBox[] = [];
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++)
      for (let c = 0; c < classes; c++) {
        const s = out[(y * gw + x) * ch + c];
        if (s < threshold) continue;
        let peak = true;
        for (let dy = -1; dy <= 1 && peak; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if ((dx || dy) && yy >= 0 && yy < gh && xx >= 0 && xx < gw && out[(yy * gw + xx) * ch + c] > s) {
              peak = false;
              break;
            }
          }
        if (!peak) continue;
        const base = (y * gw + x) * ch + classes;
        const w = Math.max(0, out[base]) * stride;
        const h = Math.max(0, out[base + 1]) * stride;
        const cx = (x + out[base + 2]) * stride;
        const cy = (y + out[base + 3]) * stride;
        boxes.push({
          xmin: cx - w / 2,
          ymin: cy - h / 2,
          xmax: cx + w / 2,
          ymax: cy + h / 2,
          classIndex: c,
          score: s,
        });
      }
  return nms(boxes, 0.5).slice(0, maxBoxes);
}
