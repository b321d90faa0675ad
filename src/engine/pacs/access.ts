/**
 * Credentials and trust for DICOMweb, read from files so that no secret is typed on
 * a command line: `--user` with `--password-file` (HTTP basic), or `--token-file`
 * (bearer), and `--ca-file` (PEM, the hospital's CA).
 */
import { readFileSync } from 'node:fs';
import type { HttpAccess } from './dicomweb';
import { PacsUsageError } from './errors';

/** Where the credentials are. */
export interface AccessFiles {
  user?: string;
  passwordFile?: string;
  tokenFile?: string;
  caFile?: string;
}

function firstLine(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PacsUsageError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new PacsUsageError(`${what} ${file} is empty`);
  return line;
}

/** Reads the files named; checks that they are given in pairs that make sense. */
export function readAccess(files: AccessFiles): HttpAccess {
  const access: HttpAccess = {};
  if (files.user !== undefined || files.passwordFile !== undefined) {
    if (files.user === undefined || files.passwordFile === undefined)
      throw new PacsUsageError('--user and --password-file go together');
    if (files.tokenFile) throw new PacsUsageError('give either --user with --password-file or --token-file');
    const password = firstLine(files.passwordFile, 'the password file');
    access.authorization = `Basic ${Buffer.from(`${files.user}:${password}`).toString('base64')}`;
  } else if (files.tokenFile) {
    access.authorization = `Bearer ${firstLine(files.tokenFile, 'the token file')}`;
  }
  if (files.caFile) {
    try {
      access.ca = readFileSync(files.caFile);
    } catch (error) {
      throw new PacsUsageError(`cannot read the CA file ${files.caFile}: ${(error as Error).message}`);
    }
  }
  return access;
}
