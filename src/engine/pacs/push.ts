/**
 * `phi push`: sends DICOM Part-10 files to a PACS, by STOW-RS (DICOMweb) or
 * C-STORE (DIMSE), in batches, each file checked to be DICOM before anything is sent.
 */
import { readFileSync } from 'node:fs';
import { DicomWebPacs, type HttpAccess } from './dicomweb';
import { store, type DimseOptions } from './dimse';
import { PacsUsageError } from './errors';
import type { PacsTarget } from './target';

const BATCH = 16;

/** Throws naming the first file that is not a DICOM Part-10 file. */
function checkPart10(files: string[]): void {
  for (const file of files) {
    const head = readFileSync(file).subarray(128, 132).toString('latin1');
    if (head !== 'DICM') throw new PacsUsageError(`${file} is not a DICOM Part-10 file (no DICM preamble)`);
  }
}

/** Sends `files`; `progress` gets a line per batch. */
export async function push(
  target: PacsTarget,
  files: string[],
  access: { http: HttpAccess; dimse: DimseOptions },
  progress: (line: string) => void,
): Promise<void> {
  checkPart10(files);
  const pacs = target.kind === 'dicomweb' ? new DicomWebPacs(target, access.http) : undefined;
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH);
    if (pacs) await pacs.store(batch.map((f) => new Uint8Array(readFileSync(f))));
    else if (target.kind === 'dimse') await store(target, access.dimse, batch);
    progress(`${Math.min(start + BATCH, files.length)}/${files.length} sent to ${target.name}`);
  }
}
