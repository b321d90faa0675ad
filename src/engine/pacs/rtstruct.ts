/**
 * An RT Structure Set from a mask of a series: one ROI per class (each distinct
 * non-zero mask value, named by the user's class names), its contours traced
 * along the mask's pixel edges on each slice (contours.ts) and placed in patient
 * coordinates by the slice's Image Position and Orientation (Patient) and Pixel
 * Spacing; each contour references its slice, the structure set references the
 * series in its study and frame of reference. Contours on one slice combine by
 * the even-odd rule (a contour inside another is a hole).
 */
import { CLASS_COLORS } from '../nn/render';
import { traceLoops } from './contours';
import { newInstanceOf, referenceTo, type Dataset, writePart10 } from './derived';
import { maskClasses, readMask } from './seg';
import { geometryOf, orderedSlices, type SliceGeometry } from './series-slices';

const RT_STRUCTURE_SET = '1.2.840.10008.5.1.4.1.1.481.3';
/** The SOP class that RT structure sets name their referenced study by (PS3.3 C.8.8.5). */
const DETACHED_STUDY_MANAGEMENT = '1.2.840.10008.3.1.2.3.1';

/** Patient coordinates of the point at (column, row) in pixel units, pixel centres at integers. */
function toPatient(g: SliceGeometry, column: number, row: number): number[] {
  return [0, 1, 2].map(
    (k) =>
      g.origin[k] + g.rowDirection[k] * column * g.columnSpacing + g.columnDirection[k] * row * g.rowSpacing,
  );
}

/** Options of the structure set. */
export interface RtStructOptions {
  /** ROI names in the order of the mask values; default `class N` (N the mask value). */
  labels?: string[];
  /** Series description; default says the structures are not for diagnosis. */
  description?: string;
}

/** What was built. */
export interface RtStruct {
  bytes: Uint8Array;
  /** The ROI names, in ROI number order, and how many contours each has. */
  rois: { name: string; value: number; contours: number }[];
  slices: number;
}

/**
 * Builds the structure set of `maskFile` (PNG for one slice, `.npy` slices x rows x columns in
 * the slices' order along their normal) drawn on `sourcePath` (one slice, or a folder of one
 * series).
 */
export async function buildRtStruct(
  maskFile: string,
  sourcePath: string,
  options: RtStructOptions = {},
): Promise<RtStruct> {
  const slices = orderedSlices(sourcePath, 'RT structures');
  const first = slices[0].slice;
  const [rows, columns] = [Number(first.Rows), Number(first.Columns)];
  const { values, shape } = await readMask(maskFile);
  const expected = [slices.length, rows, columns];
  const squeezed = shape.length === 2 ? [1, ...shape] : shape;
  if (squeezed.join('x') !== expected.join('x'))
    throw new Error(
      `the mask is ${shape.join('x')} but the source is ${expected.join('x')} (slices x rows x columns, slices ordered along their normal)`,
    );
  const classes = maskClasses(values);
  if (options.labels && options.labels.length !== classes.length)
    throw new Error(
      `the mask has ${classes.length} classes (values ${classes.join(', ')}) but ${options.labels.length} names were given: give one --label per class, in value order`,
    );
  const names = classes.map((value, k) => options.labels?.[k] ?? `class ${value}`);
  const long = names.find((name) => !name.trim() || name.length > 64);
  if (long !== undefined)
    throw new Error(`the ROI name "${long}" must have 1 to 64 characters (DICOM's limit)`);

  const frameOfReference = first.FrameOfReferenceUID;
  const plane = rows * columns;
  const rois = classes.map((value, k) => {
    const contours: Dataset[] = [];
    slices.forEach(({ slice, file }, z) => {
      const geometry = geometryOf(slice, file);
      const inClass = Array.from({ length: plane }, (_, i) =>
        Math.round(values[z * plane + i]) === value ? 1 : 0,
      );
      for (const loop of traceLoops(inClass, rows, columns)) {
        // Corner (c, r) lies half a pixel before the centre of pixel (c, r).
        const points = loop.flatMap(([c, r]) =>
          toPatient(geometry, c - 0.5, r - 0.5).map((v) => Number(v.toFixed(3))),
        );
        contours.push({
          ContourNumber: contours.length + 1,
          ContourImageSequence: [referenceTo(slice)],
          ContourGeometricType: 'CLOSED_PLANAR',
          NumberOfContourPoints: loop.length,
          ContourData: points,
        });
      }
    });
    return { name: names[k], value, number: k + 1, contours };
  });

  const dataset = newInstanceOf(
    first,
    RT_STRUCTURE_SET,
    'RTSTRUCT',
    options.description ?? 'Phi Studio structures, not for diagnosis',
  );
  Object.assign(dataset, {
    StructureSetLabel: 'Phi Studio',
    StructureSetName: 'not for diagnosis',
    StructureSetDate: dataset.ContentDate,
    StructureSetTime: dataset.ContentTime,
    ApprovalStatus: 'UNAPPROVED',
    ReferencedFrameOfReferenceSequence: [
      {
        FrameOfReferenceUID: frameOfReference,
        RTReferencedStudySequence: [
          {
            ReferencedSOPClassUID: DETACHED_STUDY_MANAGEMENT,
            ReferencedSOPInstanceUID: first.StudyInstanceUID,
            RTReferencedSeriesSequence: [
              {
                SeriesInstanceUID: first.SeriesInstanceUID,
                ContourImageSequence: slices.map(({ slice }) => referenceTo(slice)),
              },
            ],
          },
        ],
      },
    ],
    StructureSetROISequence: rois.map((roi) => ({
      ROINumber: roi.number,
      ReferencedFrameOfReferenceUID: frameOfReference,
      ROIName: roi.name,
      ROIGenerationAlgorithm: 'AUTOMATIC',
      ROIGenerationDescription: 'Phi Studio mask, traced along pixel edges',
    })),
    ROIContourSequence: rois.map((roi) => ({
      ReferencedROINumber: roi.number,
      // The colours the View tab draws these classes in.
      ROIDisplayColor: CLASS_COLORS[(roi.number - 1) % CLASS_COLORS.length],
      ContourSequence: roi.contours,
    })),
    RTROIObservationsSequence: rois.map((roi) => ({
      ObservationNumber: roi.number,
      ReferencedROINumber: roi.number,
      RTROIInterpretedType: '',
      ROIInterpreter: '',
    })),
  });
  return {
    bytes: writePart10(dataset),
    rois: rois.map((roi) => ({ name: roi.name, value: roi.value, contours: roi.contours.length })),
    slices: slices.length,
  };
}
