/**
 * Which studies to pull: `--study`, `--patient`, `--accession`, `--modality`, `--date`,
 * as QIDO-RS query parameters and as C-FIND study-level keys.
 */
import { PacsUsageError } from './errors';

export interface StudyFilters {
  study?: string;
  patient?: string;
  accession?: string;
  modality?: string;
  /** `YYYYMMDD` or `YYYYMMDD-YYYYMMDD` (either end may be left open). */
  date?: string;
}

/** Checks the values (a date range must be DICOM DA dates); returns only the filters given. */
export function parseFilters(values: Record<string, unknown>): StudyFilters {
  const filters: StudyFilters = {};
  for (const key of ['study', 'patient', 'accession', 'modality', 'date'] as const) {
    const value = values[key];
    if (typeof value === 'string' && value !== '') filters[key] = value;
  }
  if (filters.date !== undefined && !/^(\d{8})?(-(\d{8})?)?$/.test(filters.date))
    throw new PacsUsageError('--date must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD');
  if (filters.study !== undefined && !/^[0-9.]{1,64}$/.test(filters.study))
    throw new PacsUsageError('--study must be a Study Instance UID (digits and dots)');
  if (filters.modality !== undefined) filters.modality = filters.modality.toUpperCase();
  return filters;
}

/** True when at least one filter narrows the studies. */
export function hasFilters(filters: StudyFilters): boolean {
  return Object.keys(filters).length > 0;
}

/** The filters as DICOM attribute keywords and match values (both QIDO-RS and C-FIND use these). */
export function filterKeys(filters: StudyFilters): Record<string, string> {
  const keys: Record<string, string> = {};
  if (filters.study) keys.StudyInstanceUID = filters.study;
  if (filters.patient) keys.PatientID = filters.patient;
  if (filters.accession) keys.AccessionNumber = filters.accession;
  if (filters.modality) keys.ModalitiesInStudy = filters.modality;
  if (filters.date) keys.StudyDate = filters.date;
  return keys;
}
