/**
 * The unit of a NIfTI volume's values. A NIfTI header names no modality, so its values are
 * `raw` unless someone said otherwise: dataset.json of an MSD or nnU-Net folder naming one
 * channel "CT" (`"modality": {"0": "CT"}`, `"channel_names": {"0": "CT"}`), or the Dataset
 * node's "Volume intensity unit". scl_slope/scl_inter are applied by the reader either way;
 * the unit is never guessed from the values. DICOM images keep the unit their own Modality and
 * rescale give (readers/dicom.ts).
 */
import type { Sample } from '../api';

/** A unit and who said it, shown in the View tab. */
export interface StatedUnit {
  unit: 'HU' | 'raw';
  from: string;
}

/** The unit a dataset.json states: HU when its one channel is CT, else nothing. */
export function unitOfDatasetJson(json: {
  modality?: Record<string, unknown>;
  channel_names?: Record<string, unknown>;
}): StatedUnit | undefined {
  const key = json.channel_names ? 'channel_names' : 'modality';
  const channels = json[key];
  if (!channels || typeof channels !== 'object') return undefined;
  const names = Object.entries(channels);
  if (names.length !== 1 || String(names[0][1]).trim().toUpperCase() !== 'CT') return undefined;
  return { unit: 'HU', from: `dataset.json "${key}": {"${names[0][0]}": "CT"}` };
}

/** The unit NIfTI volumes get: the Dataset node's choice, or for `auto` what the folder states. */
export function niftiUnit(
  choice: 'auto' | 'HU' | 'raw',
  stated: StatedUnit | undefined,
): StatedUnit | undefined {
  if (choice === 'auto') return stated;
  return { unit: choice, from: `the Dataset node's Volume intensity unit (${choice})` };
}

/** A loaded sample with `unit` when it is a NIfTI volume; other formats keep their own. */
export function withNiftiUnit(sample: Sample, unit: StatedUnit | undefined): Sample {
  if (!unit || sample.meta.niftiVersion === undefined) return sample;
  return {
    ...sample,
    image: { ...sample.image, unit: unit.unit },
    meta: { ...sample.meta, unitFrom: unit.from },
  };
}
