/**
 * Writes NIfTI files (nifti-reader-js only reads them; the npm writers
 * checked, e.g. nifti-js, are unmaintained NIfTI-1 code from 2014):
 * - {@link niftiLike}: a volume in the grid of an existing NIfTI-1 or NIfTI-2
 *   file (a predicted mask): the source's header bytes are kept as they are,
 *   so qform, sform, pixdim, units, orientation codes and the description
 *   stay the file's own, and only the fields that describe the new voxels
 *   change: dim (3-D, the 4th axis of a multi-channel source dropped),
 *   datatype and bitpix, vox_offset (right after the header and its 4
 *   extension bytes, which are zeroed: no extensions), scl_slope 1 and
 *   scl_inter 0 (the values are stored as they are), cal_min/cal_max (the
 *   value range) and intent_code (1002, NIFTI_INTENT_LABEL, for label maps).
 * - {@link niftiVolume}: a new NIfTI-1 volume from its spacing and origin:
 *   an axis-aligned RAS grid given the same way by the qform (code 1,
 *   scanner; no rotation, qfac 1) and the sform (code 1, `srow` = diag(spacing)
 *   + origin), xyzt_units mm and seconds.
 * - {@link niftiWithAffine}: a new NIfTI-1 volume with any voxel-to-RAS affine (a mask of a DICOM
 *   series): the sform (code 1, scanner) holds it, the qform is unset (code 0) unless the grid is
 *   axis-aligned, pixdim holds the lengths of its columns.
 * Voxels are x fastest, as our `[z, y, x]` arrays are; a name ending in `.gz`
 * is gzipped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Voxel types written, with their NIfTI datatype code and bits. */
type Voxels = Uint8Array | Int16Array | Float32Array;

function typeOf(data: Voxels): { code: number; bits: number } {
  if (data instanceof Uint8Array) return { code: 2, bits: 8 };
  if (data instanceof Int16Array) return { code: 4, bits: 16 };
  return { code: 16, bits: 32 };
}

function range(data: Voxels): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return data.length ? [min, max] : [0, 0];
}

/** Header + 4 empty extension bytes + the voxels in the header's byte order, gzipped for `.gz`. */
function finish(header: Buffer, data: Voxels, little: boolean, file: string): void {
  const body = Buffer.alloc(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  data.forEach((v, i) => {
    if (data instanceof Uint8Array) view.setUint8(i, v);
    else if (data instanceof Int16Array) view.setInt16(i * 2, v, little);
    else view.setFloat32(i * 4, v, little);
  });
  const bytes = Buffer.concat([header, Buffer.alloc(4), body]);
  writeFileSync(file, file.toLowerCase().endsWith('.gz') ? gzipSync(bytes) : bytes);
}

/** Writes `data` (`[nz, ny, nx]` voxels) as `file` with the header of the NIfTI file `source`. */
export function niftiLike(
  source: string,
  data: Voxels,
  file: string,
  options: { label?: boolean } = {},
): void {
  const raw = readFileSync(source);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const little = bytes.readInt32LE(0) === 348 || bytes.readInt32LE(0) === 540;
  const size = little ? bytes.readInt32LE(0) : bytes.readInt32BE(0);
  if (size !== 348 && size !== 540) throw new Error(`${source} is not a NIfTI-1 or NIfTI-2 file`);
  const h = Buffer.from(bytes.subarray(0, size));
  const { code, bits } = typeOf(data);
  const [min, max] = range(data);
  const i16 = (o: number, v: number): number => (little ? h.writeInt16LE(v, o) : h.writeInt16BE(v, o));
  const i32 = (o: number, v: number): number => (little ? h.writeInt32LE(v, o) : h.writeInt32BE(v, o));
  const f32 = (o: number, v: number): number => (little ? h.writeFloatLE(v, o) : h.writeFloatBE(v, o));
  const f64 = (o: number, v: number): number => (little ? h.writeDoubleLE(v, o) : h.writeDoubleBE(v, o));
  const i64 = (o: number, v: number): number =>
    little ? h.writeBigInt64LE(BigInt(v), o) : h.writeBigInt64BE(BigInt(v), o);
  if (size === 348) {
    const dims = [3, ...[0, 1, 2].map((k) => h[little ? 'readInt16LE' : 'readInt16BE'](42 + 2 * k))];
    dims.forEach((v, k) => i16(40 + 2 * k, v));
    for (let k = 4; k < 8; k++) i16(40 + 2 * k, 1);
    if (dims[1] * dims[2] * dims[3] !== data.length)
      throw new Error(`${data.length} voxels do not fill the ${dims.slice(1).join('x')} grid of ${source}`);
    i16(68, options.label ? 1002 : 0);
    i16(70, code);
    i16(72, bits);
    f32(108, 352);
    f32(112, 1);
    f32(116, 0);
    f32(124, max);
    f32(128, min);
  } else {
    const read = (o: number): number => Number(little ? h.readBigInt64LE(o) : h.readBigInt64BE(o));
    const dims = [3, read(24), read(32), read(40)];
    dims.forEach((v, k) => i64(16 + 8 * k, v));
    for (let k = 4; k < 8; k++) i64(16 + 8 * k, 1);
    if (dims[1] * dims[2] * dims[3] !== data.length)
      throw new Error(`${data.length} voxels do not fill the ${dims.slice(1).join('x')} grid of ${source}`);
    i16(12, code);
    i16(14, bits);
    i64(168, 544);
    f64(176, 1);
    f64(184, 0);
    f64(192, max);
    f64(200, min);
    i32(504, options.label ? 1002 : 0);
  }
  finish(h, data, little, file);
}

/** A new axis-aligned NIfTI-1 volume: `data` is `[nz, ny, nx]`, `spacing` and `origin` are x, y, z in mm. */
export function niftiVolume(
  data: Voxels,
  grid: { nx: number; ny: number; nz: number },
  spacing: [number, number, number],
  origin: [number, number, number],
  file: string,
): void {
  const affine = [0, 1, 2].map((row) =>
    [0, 1, 2, 3].map((col) => (col === 3 ? origin[row] : col === row ? spacing[row] : 0)),
  );
  niftiWithAffine(data, grid, affine, file, { axisAligned: true });
}

/**
 * A new NIfTI-1 volume whose voxel (i, j, k) (column, row, slice) lies at `affine` x (i, j, k, 1) in
 * RAS millimetres: `affine` is its first three rows, `data` is `[nz, ny, nx]`.
 */
export function niftiWithAffine(
  data: Voxels,
  grid: { nx: number; ny: number; nz: number },
  affine: number[][],
  file: string,
  options: { label?: boolean; axisAligned?: boolean } = {},
): void {
  const h = Buffer.alloc(348);
  const { code, bits } = typeOf(data);
  const [min, max] = range(data);
  if (grid.nx * grid.ny * grid.nz !== data.length)
    throw new Error(`${data.length} voxels do not fill a ${grid.nx}x${grid.ny}x${grid.nz} grid`);
  const pixdim = [0, 1, 2].map((col) => Math.hypot(affine[0][col], affine[1][col], affine[2][col]));
  h.writeInt32LE(348, 0);
  [3, grid.nx, grid.ny, grid.nz, 1, 1, 1, 1].forEach((v, k) => h.writeInt16LE(v, 40 + 2 * k));
  h.writeInt16LE(options.label ? 1002 : 0, 68);
  h.writeInt16LE(code, 70);
  h.writeInt16LE(bits, 72);
  [1, ...pixdim, 0, 0, 0, 0].forEach((v, k) => h.writeFloatLE(v, 76 + 4 * k));
  h.writeFloatLE(352, 108);
  h.writeFloatLE(1, 112);
  h.writeFloatLE(max, 124);
  h.writeFloatLE(min, 128);
  h.writeUInt8(2 | 8, 123);
  // An axis-aligned grid is also the qform (code 1, no rotation: quatern_b/c/d 0, qoffset the origin).
  h.writeInt16LE(options.axisAligned ? 1 : 0, 252);
  h.writeInt16LE(1, 254);
  if (options.axisAligned) [0, 1, 2].forEach((row) => h.writeFloatLE(affine[row][3], 268 + 4 * row));
  for (let row = 0; row < 3; row++)
    [0, 1, 2, 3].forEach((col) => h.writeFloatLE(affine[row][col], 280 + 16 * row + 4 * col));
  h.write('n+1\0', 344, 'latin1');
  finish(h, data, true, file);
}
