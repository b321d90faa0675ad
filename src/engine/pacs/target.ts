/**
 * Where a PACS is: a DICOMweb root (`http(s)://host:port/dicom-web`) or a DIMSE
 * peer (`dicom://AET@host:port`), parsed from the URL `phi pull` and `phi push` take.
 */
import { PacsUsageError } from './errors';

/** A DICOMweb service root. */
export interface DicomWebTarget {
  kind: 'dicomweb';
  /** The root without a trailing slash; QIDO-RS, WADO-RS and STOW-RS paths follow it. */
  url: string;
  /** How messages name the server. */
  name: string;
}

/** A DIMSE peer: its AE title, host and port. */
export interface DimseTarget {
  kind: 'dimse';
  aet: string;
  host: string;
  port: number;
  name: string;
}

export type PacsTarget = DicomWebTarget | DimseTarget;

/** AE titles: 1 to 16 characters of the default repertoire, no backslash or control characters. */
export function checkAet(aet: string, what: string): string {
  if (!/^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(aet) || !aet.trim())
    throw new PacsUsageError(`${what} "${aet}" is not an AE title (1 to 16 printable characters)`);
  return aet;
}

/** Parses a PACS URL; throws a UsageError saying what form is expected. */
export function parseTarget(text: string): PacsTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PacsUsageError(
      `"${text}" is not a PACS URL: give http(s)://host:port/dicom-web or dicom://AET@host:port`,
    );
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.username || url.password)
      throw new PacsUsageError(
        'put no credentials in the URL: use --user with --password-file, or --token-file',
      );
    const root = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    return { kind: 'dicomweb', url: root, name: root };
  }
  if (url.protocol === 'dicom:') {
    const aet = checkAet(decodeURIComponent(url.username), "the server's AE title");
    const port = Number(url.port || 104);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!host) throw new PacsUsageError(`"${text}" names no host: give dicom://AET@host:port`);
    return { kind: 'dimse', aet, host, port, name: `${aet}@${url.hostname}:${port}` };
  }
  throw new PacsUsageError(`"${text}": the PACS URL must start with http://, https:// or dicom://`);
}
