/**
 * De-identification on arrival: DICOM PS3.15 Annex E's Basic Application
 * Confidentiality Profile, applied as an allow-list. Every attribute not named in
 * {@link KEEP} is removed (private attributes, free text, dates, times, names,
 * addresses, device serial numbers...), which is at least what the profile's
 * X/Z/D actions remove; UIDs are replaced consistently (the profile's U action), by
 * an HMAC of the original under a secret, so the same original UID gives the same
 * new UID and series still assemble; the patient ID becomes a pseudonym made the
 * same way, so patient-level splits still hold. Kept: what training needs (pixel
 * data and its description, spacing and geometry, rescale, window, modality,
 * manufacturer and model, acquisition parameters, sex, age in whole years with 90
 * and over as 090Y), with the Retain Patient Characteristics option's code.
 *
 * dcmjs's own anonymizer (`dcmjs.anonymizer.cleanTags`) empties a fixed list of
 * names, keeps private attributes and UIDs, and empties sex and age; it is not used.
 */
import { createHmac } from 'node:crypto';
import { lib, type DicomDictInstance, type DicomElement, type DicomElements } from './dcmjs';

/** Attributes kept as they are, by keyword (PS3.6), at any depth. */
const KEEP = [
  // Character set, SOP class, image type
  'SpecificCharacterSet',
  'SOPClassUID',
  'ImageType',
  'Modality',
  'Manufacturer',
  'ManufacturerModelName',
  'SoftwareVersions',
  'BodyPartExamined',
  'PatientPosition',
  'PatientSex',
  'BurnedInAnnotation',
  // Acquisition parameters
  'ScanningSequence',
  'SequenceVariant',
  'ScanOptions',
  'MRAcquisitionType',
  'SliceThickness',
  'KVP',
  'RepetitionTime',
  'EchoTime',
  'InversionTime',
  'NumberOfAverages',
  'ImagingFrequency',
  'MagneticFieldStrength',
  'SpacingBetweenSlices',
  'EchoTrainLength',
  'FlipAngle',
  'ConvolutionKernel',
  'ExposureTime',
  'XRayTubeCurrent',
  'Exposure',
  'FilterType',
  'ImagerPixelSpacing',
  'ReconstructionDiameter',
  'GantryDetectorTilt',
  'ViewPosition',
  'Laterality',
  'ImageLaterality',
  // Geometry and order
  'SeriesNumber',
  'AcquisitionNumber',
  'InstanceNumber',
  'ImagePositionPatient',
  'ImageOrientationPatient',
  'SliceLocation',
  'PositionReferenceIndicator',
  'PixelSpacing',
  // Pixel description and values
  'SamplesPerPixel',
  'PhotometricInterpretation',
  'PlanarConfiguration',
  'NumberOfFrames',
  'FrameIncrementPointer',
  'Rows',
  'Columns',
  'BitsAllocated',
  'BitsStored',
  'HighBit',
  'PixelRepresentation',
  'SmallestImagePixelValue',
  'LargestImagePixelValue',
  'PixelPaddingValue',
  'PixelPaddingRangeLimit',
  'WindowCenter',
  'WindowWidth',
  'WindowCenterWidthExplanation',
  'RescaleIntercept',
  'RescaleSlope',
  'RescaleType',
  'RedPaletteColorLookupTableDescriptor',
  'GreenPaletteColorLookupTableDescriptor',
  'BluePaletteColorLookupTableDescriptor',
  'RedPaletteColorLookupTableData',
  'GreenPaletteColorLookupTableData',
  'BluePaletteColorLookupTableData',
  'LossyImageCompression',
  'LossyImageCompressionRatio',
  'LossyImageCompressionMethod',
  'PixelData',
  'FloatPixelData',
  'DoubleFloatPixelData',
  // Multi-frame functional groups (their items are filtered by this same list)
  'SharedFunctionalGroupsSequence',
  'PerFrameFunctionalGroupsSequence',
  'PixelMeasuresSequence',
  'PlanePositionSequence',
  'PlaneOrientationSequence',
  'PixelValueTransformationSequence',
  'FrameVOILUTSequence',
  'FrameContentSequence',
  'DimensionIndexValues',
  'InStackPositionNumber',
  'StackID',
  // Segmentations
  'SegmentationType',
  'SegmentSequence',
  'SegmentNumber',
  'SegmentLabel',
  'SegmentAlgorithmType',
  'SegmentedPropertyCategoryCodeSequence',
  'SegmentedPropertyTypeCodeSequence',
  'SegmentIdentificationSequence',
  'ReferencedSegmentNumber',
  'CodeValue',
  'CodingSchemeDesignator',
  'CodeMeaning',
  'MaximumFractionalValue',
  'SegmentationFractionalType',
  'ContentLabel',
];

/** UIDs that name kinds of things (classes, syntaxes), not patients' data: kept. Other UIDs are replaced. */
const KEEP_UIDS = [
  'SOPClassUID',
  'ReferencedSOPClassUID',
  'TransferSyntaxUID',
  'MediaStorageSOPClassUID',
  'ImplementationClassUID',
];

/** Identifying UIDs replaced consistently (U), at any depth. */
const REPLACE_UIDS = [
  'SOPInstanceUID',
  'StudyInstanceUID',
  'SeriesInstanceUID',
  'FrameOfReferenceUID',
  'ReferencedSOPInstanceUID',
  'ReferencedFrameOfReferenceUID',
  'MediaStorageSOPInstanceUID',
  'DimensionOrganizationUID',
];

const tagOf = (keyword: string): string => {
  const entry = lib.data.DicomMetaDictionary.nameMap[keyword];
  if (!entry) throw new Error(`no DICOM keyword ${keyword}`);
  return entry.tag.replace(/[(),]/g, '').toUpperCase();
};
const keepTags = new Set([...KEEP, ...KEEP_UIDS].map(tagOf));
const uidTags = new Set(REPLACE_UIDS.map(tagOf));
const T = {
  patientName: tagOf('PatientName'),
  patientId: tagOf('PatientID'),
  patientAge: tagOf('PatientAge'),
  birthDate: tagOf('PatientBirthDate'),
  studyDate: tagOf('StudyDate'),
  studyTime: tagOf('StudyTime'),
  accession: tagOf('AccessionNumber'),
  referring: tagOf('ReferringPhysicianName'),
  studyId: tagOf('StudyID'),
  identityRemoved: tagOf('PatientIdentityRemoved'),
  method: tagOf('DeidentificationMethod'),
  methodCodes: tagOf('DeidentificationMethodCodeSequence'),
  longitudinal: tagOf('LongitudinalTemporalInformationModified'),
  sourceAet: tagOf('SourceApplicationEntityTitle'),
};

/** Maps original identifiers to replacements with an HMAC-SHA256 under a per-project secret. */
export class Pseudonymizer {
  constructor(private readonly secret: Buffer) {}

  private digest(kind: string, value: string): Buffer {
    return createHmac('sha256', this.secret).update(`${kind}\0${value}`).digest();
  }

  /** A `2.25.` UID (PS3.5 B.2) from the first 128 bits of the HMAC of `uid`. */
  uid(uid: string): string {
    return `2.25.${BigInt(`0x${this.digest('uid', uid.trim()).subarray(0, 16).toString('hex')}`)}`;
  }

  /** A patient pseudonym: `ANON-` and 16 hex digits. */
  patient(id: string): string {
    return `ANON-${this.digest('patient', id.trim()).subarray(0, 8).toString('hex').toUpperCase()}`;
  }
}

/** The method sentence written in DeidentificationMethod (0012,0063). */
export const METHOD =
  'PS3.15 Basic Application Confidentiality Profile (allow-list), Retain Patient Characteristics (sex, age in years)';

/** PS3.16 CID 7050 codes for the profile and the options applied. */
const METHOD_CODES: [string, string][] = [
  ['113100', 'Basic Application Confidentiality Profile'],
  ['113108', 'Retain Patient Characteristics Option'],
];

/** Age in whole years (`045Y`), ages 90 and over as `090Y`, under one year as `000Y`. */
export function coarseAge(age: string): string | undefined {
  const match = /^(\d{3})([DWMY])$/.exec(age.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const years =
    match[2] === 'Y'
      ? n
      : match[2] === 'M'
        ? Math.floor(n / 12)
        : match[2] === 'W'
          ? Math.floor(n / 52)
          : Math.floor(n / 365);
  return `${String(Math.min(years, 90)).padStart(3, '0')}Y`;
}

function filterItem(item: DicomElements, names: Pseudonymizer): DicomElements {
  const out: DicomElements = {};
  for (const [rawTag, element] of Object.entries(item)) {
    const tag = rawTag.toUpperCase();
    if (uidTags.has(tag)) {
      out[tag] = { vr: 'UI', Value: (element.Value ?? []).map((v) => names.uid(String(v))) };
    } else if (keepTags.has(tag)) {
      out[tag] =
        element.vr === 'SQ'
          ? { ...element, Value: (element.Value ?? []).map((i) => filterItem(i as DicomElements, names)) }
          : element;
    }
  }
  return out;
}

const text = (e: DicomElement | undefined): string => {
  const v = e?.Value?.[0];
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? String((v as { Alphabetic?: string }).Alphabetic ?? '') : String(v);
};

/** What the patient pseudonym is made from: the patient ID, else the name. */
export function patientKeyOf(dict: DicomElements): string {
  return text(dict[T.patientId]) || text(dict[T.patientName]) || 'unknown';
}

/** The patient's name as written in the dataset. */
export const patientNameOf = (dict: DicomElements): string => text(dict[T.patientName]);

/** De-identifies a denaturalized dataset and file meta group (see the module comment). */
function deidentifyElements(
  dict: DicomElements,
  meta: DicomElements,
  names: Pseudonymizer,
): { dict: DicomElements; meta: DicomElements } {
  const out = filterItem(dict, names);
  const patient = names.patient(patientKeyOf(dict));
  out[T.patientName] = { vr: 'PN', Value: [{ Alphabetic: patient }] };
  out[T.patientId] = { vr: 'LO', Value: [patient] };
  const age = coarseAge(text(dict[T.patientAge]));
  if (age) out[T.patientAge] = { vr: 'AS', Value: [age] };
  // Type 2 attributes of the General Study module: present and empty (Z).
  for (const [tag, vr] of [
    [T.birthDate, 'DA'],
    [T.studyDate, 'DA'],
    [T.studyTime, 'TM'],
    [T.accession, 'SH'],
    [T.referring, 'PN'],
    [T.studyId, 'SH'],
  ])
    out[tag] = { vr, Value: [] };
  out[T.identityRemoved] = { vr: 'CS', Value: ['YES'] };
  out[T.method] = { vr: 'LO', Value: [METHOD] };
  out[T.methodCodes] = {
    vr: 'SQ',
    Value: METHOD_CODES.map(([code, meaning]) => ({
      [tagOf('CodeValue')]: { vr: 'SH', Value: [code] },
      [tagOf('CodingSchemeDesignator')]: { vr: 'SH', Value: ['DCM'] },
      [tagOf('CodeMeaning')]: { vr: 'LO', Value: [meaning] },
    })),
  };
  out[T.longitudinal] = { vr: 'CS', Value: ['REMOVED'] };
  const outMeta: DicomElements = {};
  for (const [tag, element] of Object.entries(meta))
    if (tag.toUpperCase() !== T.sourceAet) outMeta[tag.toUpperCase()] = element;
  const metaUid = tagOf('MediaStorageSOPInstanceUID');
  if (outMeta[metaUid])
    outMeta[metaUid] = { vr: 'UI', Value: (outMeta[metaUid].Value ?? []).map((v) => names.uid(String(v))) };
  return {
    dict: Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))),
    meta: outMeta,
  };
}

/** De-identifies a Part-10 file read with dcmjs; returns the new file's bytes. */
export function deidentifyFile(file: DicomDictInstance, names: Pseudonymizer): Uint8Array {
  const { dict, meta } = deidentifyElements(file.dict, file.meta, names);
  const out = new lib.data.DicomDict(meta);
  out.dict = dict;
  return new Uint8Array(out.write());
}
