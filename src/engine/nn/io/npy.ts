/**
 * Reader for NumPy `.npy` files (format versions 1-3, C order, little/big
 * endian numeric dtypes and bool), for `phi metrics` and `phi predict`.
 */

/** A decoded array: values as float64 and the shape. */
export interface NpyArray {
  data: Float64Array;
  shape: number[];
}

const MAGIC = '\x93NUMPY';

/** Byte size and reader of each supported dtype code (the part of `descr` after the byte order). */
const READERS: Record<string, [number, (view: DataView, at: number, little: boolean) => number]> = {
  b1: [1, (v, o) => v.getUint8(o)],
  u1: [1, (v, o) => v.getUint8(o)],
  i1: [1, (v, o) => v.getInt8(o)],
  u2: [2, (v, o, le) => v.getUint16(o, le)],
  i2: [2, (v, o, le) => v.getInt16(o, le)],
  u4: [4, (v, o, le) => v.getUint32(o, le)],
  i4: [4, (v, o, le) => v.getInt32(o, le)],
  i8: [8, (v, o, le) => Number(v.getBigInt64(o, le))],
  u8: [8, (v, o, le) => Number(v.getBigUint64(o, le))],
  f4: [4, (v, o, le) => v.getFloat32(o, le)],
  f8: [8, (v, o, le) => v.getFloat64(o, le)],
  f2: [2, (v, o, le) => halfToFloat(v.getUint16(o, le))],
};

/** Parses the bytes of an `.npy` file; throws with the reason when it cannot. */
export function parseNpy(buf: Uint8Array): NpyArray {
  const text = (a: number, b: number): string => String.fromCharCode(...buf.subarray(a, b));
  if (text(0, 6) !== MAGIC) throw new Error('not a .npy file (bad magic)');
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = text(start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new Error(`cannot read the .npy header: ${header}`);
  if (fortran === 'True')
    throw new Error('Fortran-order .npy arrays are not supported: save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const little = descr[0] !== '>';
  const kind = descr.slice(1);
  const offset = start + headerLen;
  const reader = READERS[kind];
  if (!reader) throw new Error(`unsupported .npy dtype ${descr}`);
  const [size, read] = reader;
  if (buf.byteLength < offset + n * size)
    throw new Error(`.npy file is truncated: expected ${n} values of ${descr}`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = read(view, offset + i * size, little);
  return { data, shape };
}

/** IEEE half precision to number. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Encodes a float32 array as `.npy` (v1), for `phi predict` outputs. */
export function encodeNpyFloat32(data: Float32Array, shape: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Pad so that data starts at a multiple of 64 bytes, ending the header with a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(
    Array.from(header, (c) => c.charCodeAt(0)),
    10,
  );
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
