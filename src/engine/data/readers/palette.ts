/**
 * PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5-6 and C.7.9): the three
 * descriptors and either plain or segmented LUT data, expanded to one entry
 * per index. The reader only records them in meta; the stored indices stay
 * the image data, as pydicom's pixel_array gives them.
 */
import type { DataSet } from 'dicom-parser';

/** One palette: index `first` maps to entry 0; indices outside the table clamp to its ends. */
export interface Palette {
  first: number;
  /** Bits per entry (8 or 16). */
  bits: number;
  red: number[];
  green: number[];
  blue: number[];
}

const CHANNELS = ['red', 'green', 'blue'] as const;

/** numpy's `around`: halves go to the even neighbour (pydicom's segmented LUT expansion uses it). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Expands segmented LUT data (discrete, linear and indirect segments) the way pydicom does. */
export function expandSegmented(data: number[], segments = Infinity, previous?: number): number[] {
  const lut: number[] = [];
  let offset = 0;
  let read = 0;
  while (offset < data.length && read < segments) {
    const opcode = data[offset];
    const length = data[offset + 1];
    offset += 2;
    if (opcode === 0) {
      lut.push(...data.slice(offset, offset + length));
      offset += length;
    } else if (opcode === 1) {
      const y0 = lut.length > 0 ? lut[lut.length - 1] : previous;
      if (y0 === undefined) throw new Error('segmented palette starts with a linear segment');
      const y1 = data[offset++];
      const step = (y1 - y0) / length;
      for (let k = 1; k <= length; k++) lut.push(y0 === y1 ? y1 : roundHalfEven(y0 + step * k));
    } else if (opcode === 2) {
      const at = data[offset] | (data[offset + 1] << 16);
      offset += 2;
      lut.push(...expandSegmented(data.slice(at), length, lut[lut.length - 1]));
    } else throw new Error(`segmented palette has an unknown segment type ${opcode}`);
    read++;
  }
  return lut;
}

/** The 16-bit words (or bytes, for 8-bit entries) of a LUT data element. */
function words(ds: DataSet, tag: string, bytes: boolean): number[] {
  const el = ds.elements[tag];
  if (bytes) return [...ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length)];
  const out: number[] = [];
  for (let i = 0; i < el.length / 2; i++) out.push(ds.uint16(tag, i) ?? 0);
  return out;
}

/** The palette of a PALETTE COLOR dataset; throws when its tables are missing. */
export function paletteOf(ds: DataSet): Palette {
  const tables = CHANNELS.map((_, s) => {
    const descTag = `x0028110${s + 1}`;
    const count = ds.uint16(descTag, 0) || 65536;
    const first = ds.uint16(descTag, 1) ?? 0;
    const bits = ds.uint16(descTag, 2) ?? 16;
    const plain = `x0028120${s + 1}`;
    const segmented = `x0028122${s + 1}`;
    let lut: number[];
    if (ds.elements[plain]) {
      // 8-bit entries may be packed one per byte or padded to one per 16-bit word.
      const packed = bits <= 8 && ds.elements[plain].length < count * 2;
      lut = words(ds, plain, packed).slice(0, count);
    } else if (ds.elements[segmented]) {
      lut = expandSegmented(words(ds, segmented, bits <= 8));
    } else throw new Error('PALETTE COLOR image without its lookup table data');
    return { first, bits, lut };
  });
  return {
    first: tables[0].first,
    bits: tables[0].bits,
    red: tables[0].lut,
    green: tables[1].lut,
    blue: tables[2].lut,
  };
}
