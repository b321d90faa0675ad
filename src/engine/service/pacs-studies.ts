/**
 * Studies on a PACS for the workbench: the search of "Import from PACS..." and
 * of a saved query (with the counts and keys the results table and labels
 * need), and a pull of chosen studies with progress in instances and cancel.
 */
import type { EngineEvent, EngineResults, PacsFilters, PacsStudy } from '../api';
import { DicomWebPacs, jsonValue, type DicomJson } from '../pacs/dicomweb';
import { find } from '../pacs/dimse';
import { pull } from '../pacs/pull';
import { sourceFor } from '../pacs/source';
import type { PacsConnection } from './pacs-profiles';

/** The answer of a request cancelled from the front end. */
const CANCELLED = 'Cancelled';

/**
 * The filters as DICOM keywords and match values (QIDO-RS parameters and C-FIND keys). The
 * description is matched here instead ({@link searchStudies}): servers match text case by case.
 */
export function filterKeysOf(filters: PacsFilters): Record<string, string> {
  const keys: Record<string, string> = {};
  if (filters.patient) keys.PatientID = filters.patient;
  if (filters.accession) keys.AccessionNumber = filters.accession;
  if (filters.modality) keys.ModalitiesInStudy = filters.modality.toUpperCase();
  if (filters.dateFrom || filters.dateTo)
    keys.StudyDate =
      filters.dateFrom === filters.dateTo
        ? (filters.dateFrom ?? '')
        : `${filters.dateFrom ?? ''}-${filters.dateTo ?? ''}`;
  return keys;
}

/** Study-level attributes the results table shows. */
const STUDY_FIELDS = {
  StudyInstanceUID: '0020000D',
  PatientID: '00100020',
  AccessionNumber: '00080050',
  StudyDate: '00080020',
  StudyDescription: '00081030',
  ModalitiesInStudy: '00080061',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
} as const;

const countOf = (value: unknown): number | null =>
  value === undefined || value === null || value === '' || Number.isNaN(Number(value)) ? null : Number(value);

/** The studies matching `filters`, with the attributes the results table and labels need. */
export async function searchStudies(connection: PacsConnection, filters: PacsFilters): Promise<PacsStudy[]> {
  const keys = filterKeysOf(filters);
  const wanted = filters.description?.toLowerCase();
  let rows: Record<keyof typeof STUDY_FIELDS, unknown>[];
  if (connection.target.kind === 'dicomweb') {
    const found = await new DicomWebPacs(connection.target, connection.http).searchStudies({
      ...keys,
      // The one field the standard does not return by default; a list would be sent with its commas
      // encoded, which Orthanc does not split.
      includefield: STUDY_FIELDS.StudyDescription,
    });
    rows = found.map((item: DicomJson) => {
      const all: Record<string, unknown> = {};
      for (const [name, tag] of Object.entries(STUDY_FIELDS))
        all[name] =
          tag === STUDY_FIELDS.ModalitiesInStudy ? (item[tag]?.Value ?? []).join('\\') : jsonValue(item, tag);
      return all as Record<keyof typeof STUDY_FIELDS, unknown>;
    });
  } else {
    const asked = Object.fromEntries(Object.keys(STUDY_FIELDS).map((k) => [k, '']));
    rows = (await find(connection.target, connection.dimse, 'STUDY', { ...asked, ...keys })) as Record<
      keyof typeof STUDY_FIELDS,
      unknown
    >[];
  }
  const text = (value: unknown): string =>
    Array.isArray(value) ? value.join('\\') : value === undefined || value === null ? '' : String(value);
  return rows
    .map((row) => ({
      uid: text(row.StudyInstanceUID).replace(/[\0\s]+$/, ''),
      patientId: text(row.PatientID),
      accession: text(row.AccessionNumber),
      date: text(row.StudyDate),
      description: text(row.StudyDescription),
      modalities: text(row.ModalitiesInStudy),
      series: countOf(row.NumberOfStudyRelatedSeries),
      instances: countOf(row.NumberOfStudyRelatedInstances),
    }))
    .filter((s) => s.uid && (!wanted || s.description.toLowerCase().includes(wanted)))
    .sort((a, b) => a.date.localeCompare(b.date) || a.uid.localeCompare(b.uid));
}

/** What a pull into a folder needs besides the studies. */
export interface StudiesPull {
  connection: PacsConnection;
  studies: string[];
  dir: string;
  keepIdentifiers: boolean;
  /** The de-identification secret; default the folder's own. */
  secretFile?: string;
  /** The encrypted re-identification table to add to (src/engine/pacs/reidentify.ts). */
  mapping?: { file: string; passphrase: string };
  /** Progress in instances; its `operation` names the events. */
  operation: string;
  emit(event: EngineEvent): void;
  signal?: AbortSignal;
}

/**
 * Pulls each study in turn (`src/engine/pacs/pull.ts`: what is already in the folder is not
 * fetched again, so a second pull resumes), with progress in instances over all of them.
 * The signal stops it at the next instance.
 */
export async function pullStudies(job: StudiesPull): Promise<EngineResults['importFromPacs']> {
  const { connection, signal } = job;
  const source = sourceFor(connection.target, connection);
  let total = 0;
  for (const study of job.studies) total += (await source.instances(study)).length;
  const result = { studies: 0, instances: 0, fetched: 0, alreadyPresent: 0 };
  const progress = (message: string): void => {
    const done = result.fetched + result.alreadyPresent;
    job.emit({ type: 'pacs-progress', operation: job.operation, done, total, message });
  };
  for (const [k, study] of job.studies.entries()) {
    if (signal?.aborted) throw new Error(CANCELLED);
    const before = { ...result };
    const summary = await pull({
      target: connection.target,
      dir: job.dir,
      filters: { study },
      all: false,
      keepIdentifiers: job.keepIdentifiers,
      http: connection.http,
      dimse: connection.dimse,
      secretFile: job.secretFile,
      mapping: job.mapping,
      progress: (line) => {
        // A throw here ends the pull: what arrived stays, and pull.json records the cancel.
        if (signal?.aborted) throw new Error(CANCELLED);
        const present = /(\d+) already here/.exec(line);
        if (present) result.alreadyPresent = before.alreadyPresent + Number(present[1]);
        if (/^\s+\d+\/\d+ fetched$/.test(line)) result.fetched += 1;
        progress(`study ${k + 1} of ${job.studies.length}: ${line.trim()}`);
      },
    });
    result.studies += summary.studies;
    result.instances += summary.instances;
    result.fetched = before.fetched + summary.fetched;
    result.alreadyPresent = before.alreadyPresent + summary.alreadyPresent;
  }
  progress(`${result.fetched} fetched, ${result.alreadyPresent} already here`);
  return {
    folder: job.dir,
    ...result,
    identifiers: job.keepIdentifiers ? 'kept' : 'removed',
    ...(job.mapping ? { mappingFile: job.mapping.file } : {}),
  };
}
