/**
 * A quick look at the NIfTI volumes of a dataset folder, from their headers
 * alone and without the event loop, for choices made while a project is set
 * up (`phi new`, "New project"): the `[d, h, w]` of the first volumes found,
 * `imagesTr/` first (Decathlon and nnU-Net folders).
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import * as nifti from 'nifti-reader-js';

/** Compressed bytes read per `.nii.gz`: enough to inflate a NIfTI-2 header and its extension flag. */
const HEAD_BYTES = 4096;

function niftiFiles(dir: string, limit: number, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  const preferred = names.filter((n) => n.toLowerCase() === 'imagestr');
  for (const name of [...preferred, ...names.filter((n) => !preferred.includes(n))]) {
    if (out.length >= limit) break;
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (/\.nii(\.gz)?$/i.test(name)) out.push(path);
    else if (!name.includes('.')) niftiFiles(path, limit, out);
  }
  return out;
}

function headerOf(file: string): ReturnType<typeof nifti.readHeader> | undefined {
  const fd = openSync(file, 'r');
  try {
    const raw = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, raw, 0, HEAD_BYTES, 0);
    const bytes =
      raw[0] === 0x1f && raw[1] === 0x8b
        ? gunzipSync(raw.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH })
        : raw.subarray(0, n);
    const buffer = new Uint8Array(bytes).buffer;
    return nifti.isNIFTI(buffer) ? nifti.readHeader(buffer) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** `[d, h, w]` of up to `limit` 3-D NIfTI volumes under `root` (2-D files are left out). */
export function probeVolumeShapes(root: string, limit = 32): number[][] {
  const shapes: number[][] = [];
  for (const file of niftiFiles(root, limit)) {
    const h = headerOf(file);
    if (h && h.dims[0] >= 3 && h.dims[3] > 1) shapes.push([h.dims[3], h.dims[2], h.dims[1]]);
  }
  return shapes;
}
