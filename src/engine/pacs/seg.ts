/**
 * A DICOM Segmentation (SEG, binary) from a mask file and the DICOM image it was
 * drawn on, with dcmjs's `derivations.Segmentation`: one segment per distinct
 * non-zero mask value (0/255 and 0/1 masks give one segment), frames referencing
 * the source instance, in its study and frame of reference, so a PACS files it
 * beside the image. Masks: PNG (first channel) or `.npy`, of the source's rows x
 * columns, or frames x rows x columns for a multi-frame source.
 */
import { readFileSync } from 'node:fs';
import { decodeImage } from '../data/readers';
import { parseNpy } from '../nn/io/npy';
import { lib, readPart10 } from './dcmjs';
import { writePart10 } from './derived';

/** The values of a mask file and its shape without channels. */
export async function readMask(file: string): Promise<{ values: ArrayLike<number>; shape: number[] }> {
  if (file.toLowerCase().endsWith('.npy')) {
    const array = parseNpy(new Uint8Array(readFileSync(file)));
    return { values: array.data, shape: array.shape };
  }
  const image = await decodeImage(file);
  const [h, w, c] = image.shape;
  if (c === 1) return { values: image.data, shape: [h, w] };
  const first = new Float64Array(h * w);
  for (let i = 0; i < first.length; i++) first[i] = image.data[i * c];
  return { values: first, shape: [h, w] };
}

/** The distinct non-zero values of a mask, in order; refuses an empty mask. */
export function maskClasses(values: ArrayLike<number>): number[] {
  const classes = [...new Set(Array.from(values, Math.round))].filter((v) => v !== 0).sort((a, b) => a - b);
  if (!classes.length) throw new Error('the mask is empty (every value is 0): there is nothing to segment');
  return classes;
}

/**
 * The source as the enhanced multi-frame dataset dcmjs's Segmentation derives from: as it is
 * when it has functional groups, else its one frame described by them (dcmjs's Normalizer
 * needs two or more slices to do this).
 */
function asMultiframe(image: Record<string, unknown>, frames: number): Record<string, unknown> {
  if (image.PerFrameFunctionalGroupsSequence) return image;
  if (frames !== 1)
    throw new Error(
      'a multi-frame source without per-frame functional groups cannot be referenced frame by frame',
    );
  const pixelMeasures: Record<string, unknown> = { PixelSpacing: image.PixelSpacing };
  if (image.SliceThickness !== undefined) pixelMeasures.SliceThickness = image.SliceThickness;
  if (image.SpacingBetweenSlices !== undefined)
    pixelMeasures.SpacingBetweenSlices = image.SpacingBetweenSlices;
  return {
    ...image,
    NumberOfFrames: 1,
    SharedFunctionalGroupsSequence: {
      PlaneOrientationSequence: {
        ImageOrientationPatient: image.ImageOrientationPatient ?? [1, 0, 0, 0, 1, 0],
      },
      PixelMeasuresSequence: pixelMeasures,
    },
    PerFrameFunctionalGroupsSequence: [
      { PlanePositionSequence: { ImagePositionPatient: image.ImagePositionPatient ?? [0, 0, 0] } },
    ],
  };
}

/** Options of the SEG. */
export interface SegOptions {
  /** Segment labels, in the order of the mask values; default `segment N` (N the mask value). */
  labels?: string[];
  /** Series description of the SEG. */
  description?: string;
}

/** Builds the SEG; returns its Part-10 bytes and the mask values that became segments. */
export async function buildSeg(
  maskFile: string,
  sourceFile: string,
  options: SegOptions = {},
): Promise<{ bytes: Uint8Array; segments: number[]; frames: number }> {
  const { DicomMetaDictionary } = lib.data;
  const source = readPart10(new Uint8Array(readFileSync(sourceFile)));
  const image = DicomMetaDictionary.naturalizeDataset(source.dict);
  image._meta = DicomMetaDictionary.naturalizeDataset(source.meta);
  const rows = Number(image.Rows);
  const columns = Number(image.Columns);
  const frames = Number(image.NumberOfFrames ?? 1) || 1;
  const { values, shape } = await readMask(maskFile);
  const expected = frames === 1 ? [rows, columns] : [frames, rows, columns];
  const squeezed = shape.filter((d, k) => d !== 1 || k >= shape.length - 2);
  if (squeezed.join('x') !== expected.join('x'))
    throw new Error(
      `the mask is ${shape.join('x')} but the source image is ${expected.join('x')} (${frames === 1 ? 'rows x columns' : 'frames x rows x columns'})`,
    );
  const segments = maskClasses(values);

  const seg = new lib.derivations.Segmentation([asMultiframe(image, frames)], {
    includeSliceSpacing: true,
  });
  seg.setNumberOfFrames(segments.length * frames);
  const frameNumbers = Array.from({ length: frames }, (_, k) => k + 1);
  segments.forEach((value, k) => {
    const pixels = Uint8Array.from(values, (v) => (Math.round(v) === value ? 1 : 0));
    seg.addSegment(
      {
        SegmentLabel: options.labels?.[k] ?? `segment ${value}`,
        SegmentAlgorithmType: 'AUTOMATIC',
        SegmentAlgorithmName: 'Phi Studio',
        SegmentedPropertyCategoryCodeSequence: {
          CodeValue: '91723000',
          CodingSchemeDesignator: 'SCT',
          CodeMeaning: 'Anatomical structure',
        },
        SegmentedPropertyTypeCodeSequence: {
          CodeValue: '85756007',
          CodingSchemeDesignator: 'SCT',
          CodeMeaning: 'Tissue',
        },
      },
      pixels,
      frameNumbers,
    );
  });
  seg.bitPackPixelData();
  const dataset = seg.dataset;
  dataset.SeriesDescription = options.description ?? 'Phi Studio segmentation';
  dataset.Manufacturer = 'Phi Studio';
  return { bytes: writePart10(dataset), segments, frames };
}
