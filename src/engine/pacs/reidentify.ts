/**
 * The re-identification table of a de-identified pull, kept only when the user
 * asks for it: each original patient ID and name, study, series and SOP instance
 * UID beside the value that replaced it (deidentify.ts). The file holds no
 * identifier in clear: the table is JSON sealed with AES-256-GCM under a key
 * derived from the user's passphrase by scrypt (random salt, fresh IV at each
 * write), so only the passphrase opens it and any change to the file is detected.
 * A later pull into the same table opens it, adds its rows and seals it again.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DicomElements } from './dcmjs';
import { patientKeyOf, patientNameOf, type Pseudonymizer } from './deidentify';
import { PacsError } from './errors';

export type MappedKind = 'patient' | 'study' | 'series' | 'instance';

/** One original identifier and its de-identified value. */
export interface MappingRow {
  kind: MappedKind;
  original: string;
  deidentified: string;
  /** The patient's name as the PACS sent it (patient rows). */
  name?: string;
}

const FORMAT = 'phi-reidentification-table-1';
// scrypt cost (32 MiB per derivation, docs/pacs.md gives its time): slows guessing, stays quick for one pull.
const KDF = { N: 2 ** 15, r: 8, p: 1 };

interface SealedFile {
  format: typeof FORMAT;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
}

function keyOf(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase, salt, 32, { ...kdf, maxmem: 128 * kdf.N * kdf.r * 2 });
}

/** The passphrase in `file` (its first line); refused when empty. */
export function passphraseFrom(file: string): string {
  const passphrase = readFileSync(file, 'utf8').split(/\r?\n/)[0];
  if (!passphrase) throw new PacsError(`${file} holds no passphrase on its first line.`);
  return passphrase;
}

/** The rows of the table in `file`, or none when it does not exist yet. */
export function openMapping(file: string, passphrase: string): MappingRow[] {
  if (!existsSync(file)) return [];
  let sealed: SealedFile;
  try {
    sealed = JSON.parse(readFileSync(file, 'utf8')) as SealedFile;
  } catch {
    sealed = {} as SealedFile;
  }
  if (sealed.format !== FORMAT)
    throw new PacsError(`${file} is not a re-identification table written by phi pull.`);
  const key = keyOf(passphrase, Buffer.from(sealed.kdf.salt, 'base64'), sealed.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  try {
    const clear = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
    return (JSON.parse(clear.toString('utf8')) as { rows: MappingRow[] }).rows;
  } catch {
    throw new PacsError(
      `The passphrase does not open ${file}: give the passphrase it was written with (or the file was changed since).`,
    );
  }
}

/** The rows of one arriving instance: its patient, study, series and instance. */
export function rowsOf(
  dict: DicomElements,
  ref: { study: string; series: string; sop: string },
  names: Pseudonymizer,
): MappingRow[] {
  const patient = patientKeyOf(dict);
  const name = patientNameOf(dict);
  return [
    { kind: 'patient', original: patient, deidentified: names.patient(patient), ...(name ? { name } : {}) },
    { kind: 'study', original: ref.study, deidentified: names.uid(ref.study) },
    { kind: 'series', original: ref.series, deidentified: names.uid(ref.series) },
    { kind: 'instance', original: ref.sop, deidentified: names.uid(ref.sop) },
  ];
}

const keyOfRow = (row: MappingRow): string => `${row.kind}\0${row.original}`;

/** `old` with the rows of `added` not already in it. */
export function mergeRows(old: MappingRow[], added: Iterable<MappingRow>): MappingRow[] {
  const rows = new Map(old.map((row) => [keyOfRow(row), row]));
  for (const row of added) if (!rows.has(keyOfRow(row))) rows.set(keyOfRow(row), row);
  return [...rows.values()];
}

/** Seals `rows` into `file` (a new salt and IV), written whole or not at all, owner-only. */
export function sealMapping(file: string, passphrase: string, rows: MappingRow[]): void {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(passphrase, salt, KDF), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify({ rows }), 'utf8'), cipher.final()]);
  const sealed: SealedFile = {
    format: FORMAT,
    kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.part`, `${JSON.stringify(sealed, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.part`, file);
}

/** The rows whose original or de-identified value (or patient name) is `value`. */
export function lookUp(rows: MappingRow[], value: string): MappingRow[] {
  const wanted = value.trim();
  return rows.filter((r) => r.original === wanted || r.deidentified === wanted || r.name === wanted);
}

/** One line per row: `study 2.25.123 <- 1.2.840...` (patient rows add the name). */
export function formatRow(row: MappingRow): string {
  return `${row.kind} ${row.deidentified} <- ${row.original}${row.name ? ` (${row.name})` : ''}`;
}
