/** PALETTE COLOR and MONOCHROME1 operations on stored values, shared by the modules and the View tab. */
import type { PixelArray } from '../../api';
import type { Palette } from '../../data/readers/palette';

/** The palette a DICOM reader recorded in a sample's meta, if any. */
export function paletteOfMeta(meta: Record<string, unknown>): Palette | undefined {
  const p = meta.palette as Partial<Palette> | undefined;
  const ok =
    p !== undefined &&
    typeof p.first === 'number' &&
    typeof p.bits === 'number' &&
    [p.red, p.green, p.blue].every((t) => Array.isArray(t) && t.length > 0);
  return ok ? (p as Palette) : undefined;
}

/**
 * Indices through the palette, as pydicom's apply_color_lut: interleaved RGB with the entries
 * as stored (uint8 for 8-bit entries, uint16 for 16-bit); indices outside the table clamp to its ends.
 */
export function applyPalette(indices: PixelArray, palette: Palette): Uint8Array | Uint16Array {
  const out = palette.bits <= 8 ? new Uint8Array(indices.length * 3) : new Uint16Array(indices.length * 3);
  const tables = [palette.red, palette.green, palette.blue];
  for (let i = 0; i < indices.length; i++) {
    for (let s = 0; s < 3; s++) {
      const table = tables[s];
      const k = Math.min(table.length - 1, Math.max(0, Math.round(indices[i]) - palette.first));
      out[i * 3 + s] = table[k];
    }
  }
  return out;
}

/** The value range a DICOM reader recorded (what Bits Stored allows, after rescale), if any. */
export function valueRangeOfMeta(meta: Record<string, unknown>): [number, number] | undefined {
  const r = meta.valueRange;
  return Array.isArray(r) && r.length === 2 && r.every((v) => typeof v === 'number')
    ? [r[0] as number, r[1] as number]
    : undefined;
}

/** MONOCHROME1 to MONOCHROME2 within [lo, hi]: lo + hi - v, same dtype (the result stays in range). */
export function invertInRange(data: PixelArray, lo: number, hi: number): PixelArray {
  const out = data.slice();
  for (let i = 0; i < out.length; i++) out[i] = lo + hi - data[i];
  return out;
}
