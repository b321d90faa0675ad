/**
 * DICOM transfer syntaxes we know by name, and the de-identification rule:
 * only the attributes listed in {@link keptAttributes} ever leave the reader
 * (a whitelist, so a patient attribute we did not think of is dropped too).
 */
import type { DataSet } from 'dicom-parser';

/** How pixel data of a transfer syntax is decoded. */
export type Codec = 'native' | 'rle' | 'jpeg8' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'unsupported';

/** Transfer syntax UID -> name and codec. */
export const TRANSFER_SYNTAXES: Record<string, { name: string; codec: Codec; bigEndian?: boolean }> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', codec: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', codec: 'native' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', codec: 'native' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', codec: 'native', bigEndian: true },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', codec: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', codec: 'jpeg8' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', codec: 'jpeg8' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless (Process 14)', codec: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': {
    name: 'JPEG Lossless SV1 (Process 14, Selection Value 1)',
    codec: 'jpeg-lossless',
  },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', codec: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', codec: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', codec: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', codec: 'jpeg2000' },
  '1.2.840.10008.1.2.4.92': { name: 'JPEG 2000 Part 2 Multi-component Lossless', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.93': { name: 'JPEG 2000 Part 2 Multi-component', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile @ Main Level', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.101': { name: 'MPEG2 Main Profile @ High Level', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 High Profile', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.103': { name: 'MPEG-4 AVC/H.264 BD-compatible High Profile', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.104': { name: 'MPEG-4 AVC/H.264 High Profile For 2D Video', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.105': { name: 'MPEG-4 AVC/H.264 High Profile For 3D Video', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.106': { name: 'MPEG-4 AVC/H.264 Stereo High Profile', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.107': { name: 'HEVC/H.265 Main Profile', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.108': { name: 'HEVC/H.265 Main 10 Profile', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 Lossless', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.202': { name: 'High-Throughput JPEG 2000 with RPCL Lossless', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.110': { name: 'JPEG XL Lossless', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.111': { name: 'JPEG XL JPEG Recompression', codec: 'unsupported' },
  '1.2.840.10008.1.2.4.112': { name: 'JPEG XL', codec: 'unsupported' },
};

/** Patient age as a coarse ten-year band (`'40-49'`): enough for subgroup analysis, not for re-identification. */
export function ageBand(age: string | undefined): string | undefined {
  const match = age ? /^(\d{3})([DWMY])$/.exec(age.trim()) : null;
  if (!match) return undefined;
  const value = Number(match[1]);
  const years =
    match[2] === 'Y' ? value : match[2] === 'M' ? value / 12 : match[2] === 'W' ? value / 52 : value / 365;
  if (years >= 90) return '90+';
  const low = Math.floor(years / 10) * 10;
  return `${low}-${low + 9}`;
}

/**
 * The attributes kept in a Sample's meta: modality, acquisition and display
 * parameters, manufacturer/model, coarse age and sex. Nothing that names or
 * dates the patient, the institution, the staff, or carries a UID.
 */
export function keptAttributes(ds: DataSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const str = (key: string, tag: string): void => {
    const v = ds.string(tag);
    if (v !== undefined && v !== '') out[key] = v;
  };
  const num = (key: string, tag: string): void => {
    const v = ds.floatString(tag);
    if (v !== undefined && Number.isFinite(v)) out[key] = v;
  };
  str('Modality', 'x00080060');
  str('Manufacturer', 'x00080070');
  str('ManufacturerModelName', 'x00081090');
  str('BodyPartExamined', 'x00180015');
  str('PhotometricInterpretation', 'x00280004');
  str('RescaleType', 'x00281054');
  num('RescaleSlope', 'x00281053');
  num('RescaleIntercept', 'x00281052');
  num('WindowCenter', 'x00281050');
  num('WindowWidth', 'x00281051');
  num('SliceThickness', 'x00180050');
  num('KVP', 'x00180060');
  num('MagneticFieldStrength', 'x00180087');
  num('RepetitionTime', 'x00180080');
  num('EchoTime', 'x00180081');
  const sex = ds.string('x00100040');
  if (sex === 'M' || sex === 'F' || sex === 'O') out.PatientSex = sex;
  const band = ageBand(ds.string('x00101010'));
  if (band) out.PatientAgeBand = band;
  const bitsStored = ds.uint16('x00280101');
  if (bitsStored !== undefined) out.BitsStored = bitsStored;
  return out;
}
