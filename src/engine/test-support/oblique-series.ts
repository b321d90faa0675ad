/**
 * Python (pydicom) that writes a DICOM series as scanners rarely do but may: oblique Image
 * Orientation (Patient), 1.5 x 1.2 mm pixels, slices 3 mm apart along the normal, files named
 * in shuffled order. `write_series(folder, volume, rng, modality='CT')` takes `volume[x=column,
 * y=row, z=slice]` (int16, nibabel's axis order), writes slice k with InstanceNumber k + 1 and
 * returns `(study, series)`; `frame_of_reference=False` leaves out the Frame of Reference UID. `check_seg(seg_file, folder, mask)` reads a SEG of that series with
 * pydicom against `mask[x, y, slice]` (mask values = segment numbers): per frame, whether its
 * position is its referenced slice's and its pixels that slice's mask of its segment. Paste it
 * before a test script's own code.
 */
export const OBLIQUE_SERIES_PY = `
import os
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
def write_series(folder, volume, rng, modality='CT', frame_of_reference=True):
    os.makedirs(folder, exist_ok=True)
    a = 0.3
    row = np.array([np.cos(a), np.sin(a), 0.0]); col = np.array([0.0, np.cos(0.2), -np.sin(0.2)])
    col = col - row * (row @ col); col /= np.linalg.norm(col)
    normal = np.cross(row, col)
    origin = np.array([-40.0, 25.0, 110.0]); dr, dc = 1.5, 1.2
    columns, rows, count = volume.shape
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    for n, k in enumerate(rng.permutation(count)):
        ds = Dataset()
        meta = FileMetaDataset(); meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
        meta.MediaStorageSOPInstanceUID = generate_uid(); meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
        ds.SOPClassUID = meta.MediaStorageSOPClassUID; ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.Modality = modality; ds.PatientID = 'P1'; ds.StudyInstanceUID = study; ds.SeriesInstanceUID = series
        if frame_of_reference: ds.FrameOfReferenceUID = frame
        ds.InstanceNumber = int(k) + 1
        ds.ImagePositionPatient = [round(float(v), 6) for v in origin + normal * 3.0 * k]
        ds.ImageOrientationPatient = [round(float(v), 8) for v in (*row, *col)]
        ds.PixelSpacing = [dr, dc]; ds.SliceThickness = 3.0
        ds.Rows, ds.Columns = rows, columns
        ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = 'MONOCHROME2'
        ds.BitsAllocated = 16; ds.BitsStored = 16; ds.HighBit = 15; ds.PixelRepresentation = 1
        ds.RescaleIntercept = 0; ds.RescaleSlope = 1
        ds.PixelData = np.ascontiguousarray(volume[:, :, k].T).astype(np.int16).tobytes()
        ds.is_little_endian = True; ds.is_implicit_VR = False
        ds.save_as(f'{folder}/slice_{n}.dcm', write_like_original=False)
    return study, series
def check_seg(seg_file, folder, mask):
    import glob, pydicom
    slices = {d.SOPInstanceUID: d for d in (pydicom.dcmread(f) for f in glob.glob(f'{folder}/*.dcm'))}
    first = next(iter(slices.values()))
    s = pydicom.dcmread(seg_file)
    frames = s.pixel_array.reshape(-1, s.Rows, s.Columns)
    shared = s.SharedFunctionalGroupsSequence[0]
    referenced, positions, pixels = set(), 0, 0
    for f, group in enumerate(s.PerFrameFunctionalGroupsSequence):
        uid = group.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        source = slices[uid]
        referenced.add(uid)
        k = source.InstanceNumber - 1
        if np.allclose([float(v) for v in group.PlanePositionSequence[0].ImagePositionPatient],
                       [float(v) for v in source.ImagePositionPatient], atol=1e-4): positions += 1
        segment = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        if np.array_equal(frames[f], (mask[:, :, k].T == segment).astype(np.uint8)): pixels += 1
    series_ref = s.ReferencedSeriesSequence[0]
    return {
        'sopClass': s.SOPClassUID, 'frames': int(s.NumberOfFrames),
        'labels': [seg.SegmentLabel for seg in s.SegmentSequence],
        'positions': positions, 'pixels': pixels, 'referenced': len(referenced), 'slices': len(slices),
        'study': s.StudyInstanceUID == first.StudyInstanceUID,
        'frameOfReference': s.FrameOfReferenceUID == first.FrameOfReferenceUID,
        'series': series_ref.SeriesInstanceUID == first.SeriesInstanceUID,
        'seriesInstances': sorted(r.ReferencedSOPInstanceUID for r in series_ref.ReferencedInstanceSequence) == sorted(slices),
        'orientation': bool(np.allclose([float(v) for v in shared.PlaneOrientationSequence[0].ImageOrientationPatient],
                                        [float(v) for v in first.ImageOrientationPatient])),
        'pixelSpacing': [float(v) for v in shared.PixelMeasuresSequence[0].PixelSpacing],
        'sliceThickness': float(shared.PixelMeasuresSequence[0].SliceThickness),
        'foreground': int(frames.sum()),
    }
`;

/**
 * What `check_seg` gives for a SEG of `slices` slices of the series with `labels` segments whose
 * every frame is at its slice and equal to the mask: every check true, the series' geometry.
 */
export function seriesSegExpected(
  slices: number,
  labels: string[],
  foreground: unknown,
): Record<string, unknown> {
  const frames = slices * labels.length;
  return {
    sopClass: '1.2.840.10008.5.1.4.1.1.66.4',
    frames,
    labels,
    positions: frames,
    pixels: frames,
    referenced: slices,
    slices,
    study: true,
    frameOfReference: true,
    series: true,
    seriesInstances: true,
    orientation: true,
    pixelSpacing: [1.5, 1.2],
    sliceThickness: 3,
    foreground,
  };
}
