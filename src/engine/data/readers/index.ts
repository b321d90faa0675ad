/**
 * The list of readers and content sniffing: a file's reader is chosen by its
 * first bytes, never by its extension alone; an extension that promises one
 * format while the content is another is reported.
 */
import { readFile as readFileCallback } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { bmpReader } from './bmp';
import { dicomReader } from './dicom';
import { niftiReader } from './nifti';
import { decodePngDirect } from './png';
import { decodePngOnce, gifReader, jpegReader, pngHeader, pngReader, tiffReader } from './raster';
import type { DecodedImage, ImageReader, OpenedImage } from './types';
import { messageOf } from '../../errors';
import { checkPixelLimit, maxPixels } from './limits';

export { messageOf };

/**
 * Every reader, most specific match first. DICOM leads: `DICM` at byte 128 decides whatever the
 * 128-byte preamble holds, and some files carry a TIFF header there.
 */
export const readers: ImageReader[] = [
  dicomReader,
  pngReader,
  jpegReader,
  tiffReader,
  gifReader,
  bmpReader,
  niftiReader,
];

/** Bytes read to sniff a format: DICOM's `DICM` magic sits at 128..131; NIfTI-2 needs 4..7 and 540. */
export const HEAD_BYTES = 544;

/** Reads the first {@link HEAD_BYTES} bytes of a file (fewer when it is shorter). */
export async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Lower-case extension, with `.nii.gz` kept whole. */
export function extensionOf(file: string): string {
  const lower = file.toLowerCase();
  if (lower.endsWith('.nii.gz')) return '.nii.gz';
  return extname(lower);
}

/** The reader whose extension list holds this extension, if any. */
export function readerForExtension(file: string): ImageReader | undefined {
  const ext = extensionOf(file);
  return readers.find((r) => r.extensions.includes(ext));
}

const TITLES: Record<string, string> = { nifti: 'NIfTI', dicom: 'DICOM', jpeg: 'JPEG' };

/** A format's name for messages (`PNG`, `DICOM`, `NIfTI`). */
export function formatTitle(format: string): string {
  return TITLES[format] ?? format.toUpperCase();
}

/** Thrown when a file is not an image we can read; the message is the reason shown to users. */
export class UnreadableFileError extends Error {}

/** The reader for a file's content; throws {@link UnreadableFileError} with the reason otherwise. */
export async function sniff(file: string): Promise<ImageReader> {
  return readerOfHead(await readHead(file), file);
}

/** The reader for these first bytes of `file` (same checks and messages as {@link sniff}). */
function readerOfHead(head: Uint8Array, file: string): ImageReader {
  if (head.length === 0) throw new UnreadableFileError('the file is empty');
  const byContent = readers.find((r) => r.match(head, file));
  const byExtension = readerForExtension(file);
  if (!byContent) {
    if (byExtension) {
      throw new UnreadableFileError(
        `its extension says ${formatTitle(byExtension.format)} but its content is not a ${formatTitle(byExtension.format)} file (corrupt or mislabelled)`,
      );
    }
    throw new UnreadableFileError('not an image file of a supported format');
  }
  if (byExtension && byExtension !== byContent) {
    throw new UnreadableFileError(
      `its content is ${formatTitle(byContent.format)} but its extension says ${formatTitle(byExtension.format)}; rename it to ${byContent.extensions[0]} to use it`,
    );
  }
  return byContent;
}

/** Sniffs and opens a file (header only). Errors say why, without the file name (callers add it). */
export async function openImage(file: string): Promise<OpenedImage> {
  return openWith(await sniff(file), file);
}

async function openWith(reader: ImageReader, file: string): Promise<OpenedImage> {
  try {
    const opened = await reader.open(file);
    checkPixelLimit(opened.header.shape);
    return opened;
  } catch (error) {
    throw new UnreadableFileError(`cannot read this ${formatTitle(reader.format)} file: ${messageOf(error)}`);
  }
}

/** A whole file. The callback `fs.readFile` decoded 6-19% more PNGs/s than `fs/promises` (fewer pool trips). */
function readWhole(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readFileCallback(file, (error, data) => (error ? reject(error) : resolve(data))),
  );
}

/**
 * Decodes a file (all frames, or one): what `(await openImage(file)).decode(frame)`
 * gives, in fewer passes where the format allows. A `.png` is read once into
 * memory, sniffed from those bytes and decoded by {@link decodePngDirect}
 * (zlib, no libvips), or by one sharp call planned from its IHDR where that
 * decoder declines; bench/modules measured the header pass and libvips'
 * per-call cost as most of the reader's time. When a fast path fails, the
 * ordinary open + decode runs, so errors read the same as before.
 */
export async function decodeImage(file: string, frame?: number): Promise<DecodedImage> {
  if (readerForExtension(file) === pngReader && !frame) {
    const bytes = await readWhole(file);
    const head = new Uint8Array(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, HEAD_BYTES));
    // The fast paths decode at once; an image over the pixel limit goes the checked way (open, then decode).
    const declared = pngHeader(head);
    const withinLimit = !declared || declared.width * declared.height <= maxPixels();
    if (readerOfHead(head, file) === pngReader && withinLimit) {
      try {
        const direct = await decodePngDirect(bytes);
        if (direct) return direct;
        const once = decodePngOnce(bytes, head);
        if (once) return await once;
      } catch {
        // Fall through: open + decode reports the problem in the usual words.
      }
    }
  }
  const reader = await sniff(file);
  return (await openWith(reader, file)).decode(frame);
}
