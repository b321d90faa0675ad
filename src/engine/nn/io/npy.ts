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
  const sizes: Record<string, number> = {
    b1: 1,
    u1: 1,
    i1: 1,
    u2: 2,
    i2: 2,
    u4: 4,
    i4: 4,
    i8: 8,
    u8: 8,
    f4: 4,
    f8: 8,
    f2: 2,
  };
  const size = sizes[kind];
  if (!size) throw new Error(`unsupported .npy dtype ${descr}`);
  if (buf.byteLength < offset + n * size)
    throw new Error(`.npy file is truncated: expected ${n} values of ${descr}`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = offset + i * size;
    switch (kind) {
      case 'b1':
      case 'u1':
        data[i] = view.getUint8(o);
        break;
      case 'i1':
        data[i] = view.getInt8(o);
        break;
      case 'u2':
        data[i] = view.getUint16(o, little);
        break;
      case 'i2':
        data[i] = view.getInt16(o, little);
        break;
      case 'u4':
        data[i] = view.getUint32(o, little);
        break;
      case 'i4':
        data[i] = view.getInt32(o, little);
        break;
      case 'i8':
        data[i] = Number(view.getBigInt64(o, little));
        break;
      case 'u8':
        data[i] = Number(view.getBigUint64(o, little));
        break;
      case 'f4':
        data[i] = view.getFloat32(o, little);
        break;
      case 'f8':
        data[i] = view.getFloat64(o, little);
        break;
      case 'f2':
        data[i] = halfToFloat(view.getUint16(o, little));
        break;
    }
  }
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
