/**
 * What every object made from a source image has in common (RT Structure Set,
 * Structured Report, Secondary Capture, Encapsulated PDF): it is filed in the
 * source's patient and study, in a series of its own, says it was made by Phi
 * Studio, and is written as a Part-10 file (Explicit VR Little Endian).
 */
import { readFileSync } from 'node:fs';
import { lib, readPart10 } from './dcmjs';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** A source image's attributes, by keyword (dcmjs's naturalized form). */
export type Dataset = Record<string, unknown>;

/** Reads a DICOM Part-10 file by keyword; `what` names it in the error when it is not DICOM. */
export function readDataset(file: string, what = file): Dataset {
  const bytes = new Uint8Array(readFileSync(file));
  if (bytes.length < 132 || Buffer.from(bytes.subarray(128, 132)).toString('latin1') !== 'DICM')
    throw new Error(`${what} is not a DICOM Part-10 file (no DICM preamble)`);
  const { DicomMetaDictionary } = lib.data;
  return DicomMetaDictionary.naturalizeDataset(readPart10(bytes).dict);
}

/** Patient and study attributes copied from the source, so that a PACS files the new object beside it. */
const PATIENT_AND_STUDY = [
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'PatientSex',
  'PatientAge',
  'PatientIdentityRemoved',
  'DeidentificationMethod',
  'DeidentificationMethodCodeSequence',
  'LongitudinalTemporalInformationModified',
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'StudyID',
  'AccessionNumber',
  'ReferringPhysicianName',
  'StudyDescription',
];

/** `YYYYMMDD` and `HHMMSS` of now, as DICOM DA and TM. */
function now(): { date: string; time: string } {
  const iso = new Date().toISOString();
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

/**
 * The attributes of a new instance of `sopClass` in the source's study, in a new series:
 * patient and study copied, new series and instance UIDs, creation date and time.
 */
export function newInstanceOf(
  source: Dataset,
  sopClass: string,
  modality: string,
  seriesDescription: string,
): Dataset {
  const { DicomMetaDictionary } = lib.data;
  const { date, time } = now();
  const dataset: Dataset = {};
  for (const key of PATIENT_AND_STUDY) if (source[key] !== undefined) dataset[key] = source[key];
  for (const key of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime'])
    dataset[key] ??= '';
  for (const key of ['StudyID', 'AccessionNumber', 'ReferringPhysicianName']) dataset[key] ??= '';
  return {
    ...dataset,
    SOPClassUID: sopClass,
    SOPInstanceUID: DicomMetaDictionary.uid(),
    SeriesInstanceUID: DicomMetaDictionary.uid(),
    Modality: modality,
    SeriesNumber: 900,
    InstanceNumber: 1,
    SeriesDescription: seriesDescription,
    Manufacturer: 'Phi Studio',
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    SpecificCharacterSet: 'ISO_IR 192',
  };
}

/** A reference to one instance (ReferencedSOPClassUID, ReferencedSOPInstanceUID). */
export function referenceTo(source: Dataset): Dataset {
  return { ReferencedSOPClassUID: source.SOPClassUID, ReferencedSOPInstanceUID: source.SOPInstanceUID };
}

/**
 * The Hierarchical SOP Instance Reference (study, series, instances) to the sources, as the
 * evidence sequences of SR, Secondary Capture and PDF want it.
 */
export function studyReference(sources: Dataset[]): Dataset[] {
  const bySeries = new Map<string, Dataset[]>();
  for (const s of sources) {
    const series = String(s.SeriesInstanceUID);
    bySeries.set(series, [...(bySeries.get(series) ?? []), s]);
  }
  return [
    {
      StudyInstanceUID: sources[0].StudyInstanceUID,
      ReferencedSeriesSequence: [...bySeries].map(([series, members]) => ({
        SeriesInstanceUID: series,
        ReferencedSOPSequence: members.map(referenceTo),
      })),
    },
  ];
}

/** The Part-10 bytes of `dataset` (Explicit VR Little Endian). */
export function writePart10(dataset: Dataset): Uint8Array {
  const { DicomMetaDictionary, DicomDict } = lib.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_LITTLE,
    ImplementationClassUID: DicomMetaDictionary.uid(),
  };
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  const { _meta: _, ...attributes } = dataset;
  file.dict = DicomMetaDictionary.denaturalizeDataset(attributes);
  return new Uint8Array(file.write());
}
