/**
 * `phi pull`: copies the studies matching the filters from a PACS into a folder,
 * de-identified on arrival (deidentify.ts) unless identifiers are kept on purpose.
 * Files go to `DIR/<study>/<series>/<instance>.dcm` under the new UIDs, each
 * written to a `.part` file and renamed once whole, so after an interruption a
 * second pull fetches only what is missing; what arrived before a failure stays.
 * Every pull is recorded in `DIR/pull.json` (server, filters, whether identifiers
 * were kept, counts, outcome). With `mapping`, each original identifier and its
 * replacement are added to an encrypted re-identification table (reidentify.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { readPart10, stringOf } from './dcmjs';
import { deidentifyFile, METHOD, Pseudonymizer } from './deidentify';
import type { HttpAccess } from './dicomweb';
import { PacsError, PacsUsageError } from './errors';
import { filterKeys, hasFilters, type StudyFilters } from './filters';
import { mergeRows, openMapping, rowsOf, sealMapping, type MappingRow } from './reidentify';
import { sourceFor, type InstanceRef, type PullDimseOptions } from './source';
import type { PacsTarget } from './target';

/** What to pull and where. */
export interface PullRequest {
  target: PacsTarget;
  dir: string;
  filters: StudyFilters;
  /** Pull every study the server lists (needed when no filter is given). */
  all: boolean;
  /** Write the files as the PACS sent them, identifiers included. */
  keepIdentifiers: boolean;
  http: HttpAccess;
  /** `retrieve: 'get'` for C-GET in place of C-MOVE. */
  dimse: PullDimseOptions;
  /** The UID and patient pseudonym secret; default `DIR/.phi-pull-secret`, made on first use. */
  secretFile?: string;
  /** Keep the re-identification table in `file`, sealed with `passphrase`. */
  mapping?: { file: string; passphrase: string };
  progress: (line: string) => void;
}

/** What a pull did. */
export interface PullSummary {
  studies: number;
  instances: number;
  fetched: number;
  alreadyPresent: number;
}

/** No filter and no `--all`: how many studies the server lists. */
export class PullRefused extends Error {
  constructor(
    readonly server: string,
    readonly studies: number,
  ) {
    super(
      `${server} lists ${count(studies, 'study')}: give a filter (--study, --patient, --accession, --modality, --date) or --all to pull them all`,
    );
  }
}

export const RECORD = 'pull.json';

/** `1 study`, `2 studies`, `3 instances`. */
export function count(n: number, noun: 'study' | 'instance'): string {
  return `${n} ${n === 1 ? noun : noun === 'study' ? 'studies' : 'instances'}`;
}
const SECRET = '.phi-pull-secret';

/** The secret in `file`, made (32 random bytes, owner-only) when it does not exist yet. */
export function secretFrom(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new PacsError(`${file} is not a pull secret (64 hex digits).`);
  return Buffer.from(hex, 'hex');
}

/** Appends this pull to `DIR/pull.json`. */
function record(dir: string, entry: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, RECORD);
  let pulls: unknown[] = [];
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as { pulls?: unknown[] };
    pulls = Array.isArray(old.pulls) ? old.pulls : [];
  }
  writeFileSync(file, `${JSON.stringify({ pulls: [...pulls, entry] }, null, 2)}\n`);
}

/** Writes `bytes` to `file` whole or not at all. */
function writeWhole(file: string, bytes: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.part`, bytes);
  renameSync(`${file}.part`, file);
}

/** See the module comment. */
export async function pull(request: PullRequest): Promise<PullSummary> {
  const { target, dir, filters, progress } = request;
  const source = sourceFor(target, request);
  if (!hasFilters(filters) && !request.all) {
    throw new PullRefused(target.name, (await source.studies({})).length);
  }
  const names = request.keepIdentifiers
    ? undefined
    : new Pseudonymizer(secretFrom(request.secretFile ?? join(dir, SECRET)));
  const mapping = request.mapping;
  if (mapping && !names)
    throw new PacsUsageError(
      'A re-identification table is for de-identified pulls: drop --keep-identifiers or the table.',
    );
  // Opened before anything is fetched, so a wrong passphrase stops the pull at once.
  const knownRows = mapping ? openMapping(mapping.file, mapping.passphrase) : [];
  const newRows: MappingRow[] = [];
  // UIDs are padded to an even length with a NUL by some encoders: the listing and the file must agree.
  const trimmed = (ref: InstanceRef): InstanceRef => ({
    study: ref.study.replace(/[\0\s]+$/, ''),
    series: ref.series.replace(/[\0\s]+$/, ''),
    sop: ref.sop.replace(/[\0\s]+$/, ''),
  });
  const pathOf = (ref: InstanceRef): string => {
    const [study, series, sop] = Object.values(trimmed(ref)).map((u) => (names ? names.uid(u) : u));
    return join(dir, study, series, `${sop}.dcm`);
  };
  const summary: PullSummary = { studies: 0, instances: 0, fetched: 0, alreadyPresent: 0 };
  let outcome = 'complete';
  try {
    const studies = await source.studies(filterKeys(filters));
    summary.studies = studies.length;
    progress(
      `${target.name}: ${count(studies.length, 'study')} ${studies.length === 1 ? 'matches' : 'match'}`,
    );
    for (const [k, study] of studies.entries()) {
      const all = await source.instances(study);
      const wanted = all.filter((ref) => !existsSync(pathOf(ref)));
      summary.instances += all.length;
      summary.alreadyPresent += all.length - wanted.length;
      progress(
        `study ${k + 1}/${studies.length}: ${count(all.length, 'instance')}, ${all.length - wanted.length} already here, ${wanted.length} to fetch`,
      );
      if (!wanted.length) continue;
      let received = 0;
      await source.retrieve(wanted, all, async (bytes) => {
        const file = readPart10(bytes);
        const ref = {
          study: stringOf(file.dict, '0020000D') ?? '',
          series: stringOf(file.dict, '0020000E') ?? '',
          sop: stringOf(file.dict, '00080018') ?? '',
        };
        if (!ref.study || !ref.series || !ref.sop)
          throw new PacsError(
            `${target.name} sent an instance without its study, series or SOP instance UID.`,
          );
        const path = pathOf(ref);
        writeWhole(path, names ? deidentifyFile(file, names) : bytes);
        if (mapping && names) newRows.push(...rowsOf(file.dict, trimmed(ref), names));
        received += 1;
        summary.fetched += 1;
        progress(`  ${received}/${wanted.length} fetched`);
        // Text drawn into the pixels is not removed by any attribute profile.
        if (stringOf(file.dict, '00280301') === 'YES')
          progress(`  warning: ${relative(dir, path)} declares burned-in annotation (text in the pixels)`);
      });
      if (received < wanted.length)
        throw new PacsError(`${target.name} sent ${received} of the ${wanted.length} instances asked for.`);
    }
    return summary;
  } catch (error) {
    outcome = (error as Error).message;
    throw error;
  } finally {
    // Also after a failure: the files that arrived are mapped, and a resumed pull will not fetch them again.
    if (mapping) sealMapping(mapping.file, mapping.passphrase, mergeRows(knownRows, newRows));
    record(dir, {
      server: target.name,
      when: new Date().toISOString(),
      filters,
      all: request.all,
      identifiers: request.keepIdentifiers ? 'kept' : 'removed',
      ...(names ? { profile: METHOD, secret: request.secretFile ?? SECRET } : {}),
      ...(mapping ? { reidentificationTable: relative(dir, mapping.file) } : {}),
      ...summary,
      outcome,
    });
  }
}
