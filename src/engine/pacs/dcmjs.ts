/**
 * The parts of dcmjs (no bundled types) that the PACS code uses: Part-10 read and
 * write, the data dictionary, and the SEG derivation.
 */
import dcmjs from 'dcmjs';

/** One element of a denaturalized dataset, keyed by its tag as 8 hex digits. */
export interface DicomElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
}
export type DicomElements = Record<string, DicomElement>;

/** A Part-10 file: its file meta group and its dataset. */
export interface DicomDictInstance {
  meta: DicomElements;
  dict: DicomElements;
  write(options?: Record<string, unknown>): ArrayBuffer;
}

/** What {@link lib} gives. */
export interface Dcmjs {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictInstance };
    DicomDict: new (meta: DicomElements) => DicomDictInstance;
    DicomMetaDictionary: {
      naturalizeDataset(dict: DicomElements): Record<string, unknown>;
      denaturalizeDataset(dataset: Record<string, unknown>): DicomElements;
      uid(): string;
      nameMap: Record<string, { tag: string; vr: string }>;
    };
  };
  derivations: {
    Segmentation: new (
      datasets: Record<string, unknown>[],
      options?: Record<string, unknown>,
    ) => {
      dataset: Record<string, unknown>;
      setNumberOfFrames(frames: number): void;
      addSegment(segment: Record<string, unknown>, pixels: Uint8Array, frames: number[]): void;
      bitPackPixelData(): void;
    };
  };
}

/** dcmjs, typed for the PACS code. */
export const lib = dcmjs as unknown as Dcmjs;

/** Reads a Part-10 file's bytes. */
export function readPart10(bytes: Uint8Array): DicomDictInstance {
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return lib.data.DicomMessage.readFile(copy, { ignoreErrors: true });
}

/** The first value of an element of a denaturalized dataset, as a string. */
export function stringOf(elements: DicomElements, tag: string): string | undefined {
  const value = elements[tag]?.Value?.[0];
  return value === undefined || value === null ? undefined : String(value);
}
