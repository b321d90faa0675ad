/**
 * `phi push`: sends DICOM Part-10 files to a PACS, by STOW-RS (DICOMweb) or
 * C-STORE (DIMSE), in batches, each file checked to be DICOM before anything is
 * sent. A folder stands for the DICOM files under it (a pulled folder's record
 * and secret are not DICOM, so they stay).
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DicomWebPacs, type HttpAccess } from './dicomweb';
import { store, type DimseOptions } from './dimse';
import { PacsUsageError } from './errors';
import type { PacsTarget } from './target';

const BATCH = 16;

/** True when `file` has the DICM marker of a Part-10 file at byte 128. */
function isPart10(file: string): boolean {
  const head = Buffer.alloc(132);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, 132, 0) === 132 && head.subarray(128).toString('latin1') === 'DICM';
  } finally {
    closeSync(fd);
  }
}

/**
 * The files to send: each file named, which must be DICOM, and the DICOM files under each folder
 * named, in name order.
 */
export function filesToPush(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new PacsUsageError(`${path} does not exist`);
    }
    if (isFolder) {
      const found = (readdirSync(path, { recursive: true }) as string[])
        .sort()
        .map((f) => join(path, f))
        .filter((f) => statSync(f).isFile() && isPart10(f));
      if (!found.length) throw new PacsUsageError(`${path} holds no DICOM Part-10 file`);
      files.push(...found);
    } else if (isPart10(path)) files.push(path);
    else throw new PacsUsageError(`${path} is not a DICOM Part-10 file (no DICM preamble)`);
  }
  return files;
}

/** Sends `files`; `progress` gets a line per batch. */
export async function push(
  target: PacsTarget,
  files: string[],
  access: { http: HttpAccess; dimse: DimseOptions },
  progress: (line: string) => void,
): Promise<void> {
  const pacs = target.kind === 'dicomweb' ? new DicomWebPacs(target, access.http) : undefined;
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH);
    if (pacs) await pacs.store(batch.map((f) => new Uint8Array(readFileSync(f))));
    else if (target.kind === 'dimse') await store(target, access.dimse, batch);
    progress(`${Math.min(start + BATCH, files.length)}/${files.length} sent to ${target.name}`);
  }
}
