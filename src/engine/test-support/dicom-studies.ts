/**
 * Synthetic CT studies for the PACS workbench tests, written by pydicom: one
 * study per patient, one series, one 32x32 slice in HU (rescale intercept
 * -1024) with a bright disc for `lesion` and none for `normal`, each with its
 * own patient ID, accession number, study date and description; and the
 * lesion masks of a segmentation dataset over them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { pythonWith } from './python';

/** One study as written: its identifiers and class. */
export interface SyntheticStudy {
  file: string;
  patientId: string;
  accession: string;
  studyUid: string;
  date: string;
  label: 'lesion' | 'normal';
  /** Row and column of the lesion disc's centre (radius 5 pixels); null without a lesion. */
  disc: [number, number] | null;
}

const SCRIPT = `
import json, sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
out, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(5)
studies = []
for i in range(count):
    label = 'lesion' if i % 2 == 0 else 'normal'
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
    sop = generate_uid()
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    d = Dataset()
    d.file_meta = meta
    d.SOPClassUID = meta.MediaStorageSOPClassUID
    d.SOPInstanceUID = sop
    d.StudyInstanceUID = generate_uid()
    d.SeriesInstanceUID = generate_uid()
    d.FrameOfReferenceUID = generate_uid()
    d.PatientName = 'Test^Patient%02d' % i
    d.PatientID = 'PAT%03d' % i
    d.PatientBirthDate = '19700101'
    d.PatientSex = 'F' if i % 3 else 'M'
    d.AccessionNumber = 'ACC%04d' % (1000 + i)
    d.StudyDate = '202401%02d' % (1 + i % 28)
    d.StudyTime = '101010'
    d.StudyID = str(i)
    d.StudyDescription = 'CT ABDOMEN phantom'
    d.SeriesNumber = 1
    d.InstanceNumber = 1
    d.Modality = 'CT'
    d.ReferringPhysicianName = ''
    d.ImagePositionPatient = [0, 0, 0]
    d.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    d.PixelSpacing = [1, 1]
    d.SliceThickness = 1
    d.Rows = d.Columns = 32
    d.SamplesPerPixel = 1
    d.PhotometricInterpretation = 'MONOCHROME2'
    d.BitsAllocated = d.BitsStored = 16
    d.HighBit = 15
    d.PixelRepresentation = 0
    d.RescaleIntercept = -1024
    d.RescaleSlope = 1
    y, x = np.mgrid[0:32, 0:32]
    hu = 40 + rng.normal(0, 10, (32, 32))
    disc = None
    if label == 'lesion':
        cy, cx = rng.integers(10, 22, 2)
        hu[(y - cy) ** 2 + (x - cx) ** 2 < 25] = 300
        disc = [int(cy), int(cx)]
    d.PixelData = np.clip(hu + 1024, 0, 65535).astype(np.uint16).tobytes()
    file = '%s/study-%02d.dcm' % (out, i)
    d.is_little_endian, d.is_implicit_VR = True, False
    pydicom.dcmwrite(file, d, write_like_original=False)
    studies.append(dict(file=file, patientId=d.PatientID, accession=d.AccessionNumber,
                        studyUid=d.StudyInstanceUID, date=d.StudyDate, label=label, disc=disc))
print(json.dumps(studies))
`;

/** Writes `count` studies (half lesion, half normal) into `dir`. */
export function writeSyntheticStudies(dir: string, count: number): SyntheticStudy[] {
  mkdirSync(dir, { recursive: true });
  const python = pythonWith(['pydicom', 'numpy'], 'python3-pydicom python3-numpy');
  const run = spawnSync(python, ['-c', SCRIPT, dir, String(count)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`writing synthetic studies failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as SyntheticStudy[]).map((s) => ({ ...s, file: join(s.file) }));
}

/** Writes each study's lesion mask (0 background, 255 lesion) as `<dir>/<file name>.png`, 32x32. */
export async function writeLesionMasks(studies: SyntheticStudy[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const study of studies) {
    const mask = new Uint8Array(32 * 32);
    if (study.disc) {
      const [cy, cx] = study.disc;
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) if ((y - cy) ** 2 + (x - cx) ** 2 < 25) mask[y * 32 + x] = 255;
    }
    await sharp(mask, { raw: { width: 32, height: 32, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(join(dir, basename(study.file).replace(/\.dcm$/, '.png')));
  }
}
