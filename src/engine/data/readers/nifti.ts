/**
 * NIfTI-1 and NIfTI-2, `.nii` and `.nii.gz`, through nifti-reader-js for
 * the header. Voxels are stored x fastest, so the file's order is already
 * our `[z, y, x]` row-major order: nothing is reoriented, and the
 * orientation (axis codes, affine, qform/sform codes) is recorded in meta.
 * scl_slope/scl_inter are applied (the values come out as float32 then).
 * 4-D files (fMRI, DCE) are one 3-D item whose channels are the time points.
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import * as nifti from 'nifti-reader-js';
import type { DType, PixelArray } from '../../api';
import type { DecodedImage, ImageHeader, ImageReader, OpenedImage } from './types';

type NiftiHeader = ReturnType<typeof nifti.readHeader>;

/** Bytes of the largest header (NIfTI-2) plus its 4-byte extension flag. */
const HEADER_BYTES = 544;

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function sizeofHdr(head: Uint8Array): number | undefined {
  if (head.length < 4) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (const little of [true, false]) {
    const v = view.getInt32(0, little);
    if (v === 348 || v === 540) return v;
  }
  return undefined;
}

function magicAt(head: Uint8Array, offset: number): string {
  return String.fromCharCode(...head.subarray(offset, offset + 3));
}

/** First bytes of the uncompressed stream, without inflating the whole file. */
async function gunzipHead(file: string, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const input = createReadStream(file);
    const gunzip = createGunzip();
    const finish = (): void => {
      input.destroy();
      gunzip.destroy();
      resolve(new Uint8Array(Buffer.concat(chunks)));
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= length) finish();
    });
    gunzip.on('end', finish);
    gunzip.on('error', (error) =>
      reject(new Error(`the gzip stream is corrupt: ${error.message}`, { cause: error })),
    );
    input.on('error', reject);
    input.pipe(gunzip);
  });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** Reads one stored voxel value of each NIfTI datatype code. */
function voxelReader(code: number): { bytes: number; read: (v: DataView, o: number, le: boolean) => number } {
  switch (code) {
    case 2:
      return { bytes: 1, read: (v, o) => v.getUint8(o) };
    case 256:
      return { bytes: 1, read: (v, o) => v.getInt8(o) };
    case 4:
      return { bytes: 2, read: (v, o, le) => v.getInt16(o, le) };
    case 512:
      return { bytes: 2, read: (v, o, le) => v.getUint16(o, le) };
    case 8:
      return { bytes: 4, read: (v, o, le) => v.getInt32(o, le) };
    case 768:
      return { bytes: 4, read: (v, o, le) => v.getUint32(o, le) };
    case 16:
      return { bytes: 4, read: (v, o, le) => v.getFloat32(o, le) };
    case 64:
      return { bytes: 8, read: (v, o, le) => v.getFloat64(o, le) };
    case 1024:
      return { bytes: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) };
    case 1280:
      return { bytes: 8, read: (v, o, le) => Number(v.getBigUint64(o, le)) };
    case 128:
      return { bytes: 1, read: (v, o) => v.getUint8(o) };
    default:
      throw new Error(`NIfTI datatype ${code} is not supported (complex or unknown)`);
  }
}

function hasScaling(h: NiftiHeader): boolean {
  return Number.isFinite(h.scl_slope) && h.scl_slope !== 0 && (h.scl_slope !== 1 || h.scl_inter !== 0);
}

function dtypeOf(h: NiftiHeader): DType {
  if (hasScaling(h)) return 'float32';
  if (h.datatypeCode === 2 || h.datatypeCode === 128) return 'uint8';
  if (h.datatypeCode === 4 || h.datatypeCode === 256) return 'int16';
  if (h.datatypeCode === 512) return 'uint16';
  return 'float32';
}

/** Axis codes like nibabel's `aff2axcodes` (e.g. `RAS`, `LPS`) from the voxel-to-world affine. */
export function axisCodes(affine: number[][]): string {
  let out = '';
  for (let j = 0; j < 3; j++) {
    let best = 0;
    for (let i = 1; i < 3; i++) if (Math.abs(affine[i][j]) > Math.abs(affine[best][j])) best = i;
    out += affine[best][j] >= 0 ? 'RAS'[best] : 'LPI'[best];
  }
  return out;
}

function headerOf(h: NiftiHeader, format: string): ImageHeader {
  const ndim = h.dims[0];
  const [nx, ny, nz, nt] = [
    h.dims[1],
    h.dims[2] || 1,
    ndim >= 3 ? h.dims[3] || 1 : 1,
    ndim >= 4 ? h.dims[4] || 1 : 1,
  ];
  if (ndim > 4 && h.dims.slice(5, ndim + 1).some((d) => d > 1)) {
    throw new Error(`${ndim}-D NIfTI (e.g. CIFTI) is not supported: only 2-D, 3-D and 4-D images`);
  }
  voxelReader(h.datatypeCode);
  const rgb = h.datatypeCode === 128;
  if (rgb && nt > 1) throw new Error('4-D RGB NIfTI is not supported');
  // As MONAI does: the 4th dimension (time points, DCE phases) becomes the channels of one 3-D item.
  const c = rgb ? 3 : nt;
  const is3d = nz > 1;
  const shape = is3d ? [nz, ny, nx, c] : [ny, nx, c];
  const [px, py, pz] = [Math.abs(h.pixDims[1]), Math.abs(h.pixDims[2]), Math.abs(h.pixDims[3])];
  const spacing = is3d ? [pz, py, px] : [py, px];
  const affine = h.affine.map((row) => row.map((v) => Number(v)));
  return {
    format,
    shape,
    dtype: dtypeOf(h),
    colorMode: rgb ? 'rgb' : 'grayscale',
    modality: 'unknown',
    unit: 'raw',
    frames: nz,
    ...(spacing.every((s) => s > 0) ? { spacing } : {}),
    ...(hasScaling(h)
      ? {
          rescale: {
            slopes: [h.scl_slope],
            intercepts: [h.scl_inter],
            storedIntegers: ![16, 64].includes(h.datatypeCode),
          },
        }
      : {}),
    meta: {
      niftiVersion: format,
      ...(nt > 1 ? { volumes: nt, channelsAre: 'the 4th dimension (time points)' } : {}),
      ...(hasScaling(h) ? { sclSlope: h.scl_slope, sclInter: h.scl_inter } : {}),
      orientation: axisCodes(affine),
      affine,
      qformCode: h.qform_code,
      sformCode: h.sform_code,
    },
  };
}

async function openNifti(file: string): Promise<OpenedImage> {
  const first = new Uint8Array(await readHeadBytes(file, 2));
  const gz = isGzip(first);
  const headBytes = gz
    ? await gunzipHead(file, HEADER_BYTES)
    : new Uint8Array(await readHeadBytes(file, HEADER_BYTES));
  if (magicAt(headBytes, 344) === 'ni1')
    throw new Error('Analyze-style .hdr/.img pairs are not supported: use .nii');
  if (!nifti.isNIFTI(toArrayBuffer(headBytes)))
    throw new Error('not a NIfTI-1/NIfTI-2 file (bad header size or magic)');
  const h = nifti.readHeader(toArrayBuffer(headBytes));
  const format = h instanceof nifti.NIFTI2 ? 'nifti2' : 'nifti1';
  const header = headerOf(h, format);

  async function decode(frame?: number): Promise<DecodedImage> {
    const raw = await readFile(file);
    let bytes: Uint8Array;
    try {
      bytes = gz ? gunzipSync(raw) : raw;
    } catch (error) {
      throw new Error(`the gzip stream is corrupt: ${(error as Error).message}`, { cause: error });
    }
    const voxel = voxelReader(h.datatypeCode);
    const c = header.shape[header.shape.length - 1];
    // RGB voxels hold their 3 samples together; 4-D files store one whole 3-D volume per channel.
    const rgb = header.colorMode === 'rgb';
    const volumes = rgb ? 1 : c;
    const perVoxel = rgb ? 3 : 1;
    const [ny, nx] = header.shape.slice(-3, -1);
    const perSlice = nx * ny;
    const first = frame ?? 0;
    const count = frame === undefined ? header.frames : 1;
    if (first < 0 || first + count > header.frames) throw new Error(`slice ${first} does not exist`);
    const start = Number(h.vox_offset);
    const end = start + volumes * header.frames * perSlice * perVoxel * voxel.bytes;
    if (bytes.length < end) {
      throw new Error(`the file is truncated: ${bytes.length} bytes where the voxels end at ${end}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + start, end - start);
    const n = count * perSlice * c;
    const out: PixelArray =
      header.dtype === 'uint8'
        ? new Uint8Array(n)
        : header.dtype === 'int16'
          ? new Int16Array(n)
          : header.dtype === 'uint16'
            ? new Uint16Array(n)
            : new Float32Array(n);
    const scale = hasScaling(h);
    const perVolume = header.frames * perSlice * perVoxel;
    for (let v = 0; v < volumes; v++) {
      for (let i = 0; i < count * perSlice * perVoxel; i++) {
        const at = (v * perVolume + first * perSlice * perVoxel + i) * voxel.bytes;
        const value = voxel.read(view, at, h.littleEndian);
        out[i * volumes + v] = scale ? value * h.scl_slope + h.scl_inter : value;
      }
    }
    const shape = count > 1 ? [count, ny, nx, c] : [ny, nx, c];
    const spacing =
      header.spacing && count === 1 && header.spacing.length === 3 ? header.spacing.slice(1) : header.spacing;
    return {
      data: out,
      shape,
      colorMode: header.colorMode,
      modality: header.modality,
      unit: header.unit,
      ...(spacing ? { spacing } : {}),
      meta: { ...header.meta },
    };
  }
  return { header, decode };
}

async function readHeadBytes(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** NIfTI-1/-2 single files, plain or gzipped. */
export const niftiReader: ImageReader = {
  format: 'nifti',
  extensions: ['.nii', '.nii.gz'],
  match(head, file) {
    if (isGzip(head)) return file.toLowerCase().endsWith('.nii.gz');
    const size = sizeofHdr(head);
    if (size === 348) return ['n+1', 'ni1'].includes(magicAt(head, 344));
    if (size === 540) return magicAt(head, 4) === 'n+2';
    return false;
  },
  open: openNifti,
};
