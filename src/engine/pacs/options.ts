/**
 * The connection options `phi pull`, `phi push` and `phi pacs-echo` share: our AE
 * title and C-STORE port (DIMSE), credentials and CA (DICOMweb), the time limit.
 */
import { resolve } from 'node:path';
import { readAccess } from './access';
import type { HttpAccess } from './dicomweb';
import type { DimseOptions } from './dimse';
import { PacsUsageError } from './errors';
import { checkAet } from './target';

/** For `parseArgs`. */
export const CONNECTION_OPTIONS = {
  aet: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'password-file': { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** Usage lines for the options above. */
export const CONNECTION_USAGE = [
  '  DICOMweb: --user NAME --password-file F (HTTP basic) or --token-file F (bearer); --ca-file PEM',
  '  DIMSE:    --aet OUR_AET (default PHI) --port N (our C-STORE SCP for C-MOVE, default 11112)',
  '  --timeout S: seconds a connection, association or request may take (default 30, HTTP 120)',
];

/** What the options say. */
export interface Connection {
  http: HttpAccess;
  dimse: DimseOptions & { port: number };
}

/** Reads the option values (files relative to `cwd`). */
export function connectionFrom(values: Record<string, unknown>, cwd: string): Connection {
  const text = (key: keyof typeof CONNECTION_OPTIONS): string | undefined =>
    values[key] as string | undefined;
  const file = (key: keyof typeof CONNECTION_OPTIONS): string | undefined => {
    const v = text(key);
    return v === undefined ? undefined : resolve(cwd, v);
  };
  const port = Number(text('port') ?? 11112);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new PacsUsageError('--port must be a TCP port (1-65535)');
  const seconds = text('timeout') === undefined ? undefined : Number(text('timeout'));
  if (seconds !== undefined && !(seconds > 0))
    throw new PacsUsageError('--timeout must be a positive number of seconds');
  const http = readAccess({
    user: text('user'),
    passwordFile: file('password-file'),
    tokenFile: file('token-file'),
    caFile: file('ca-file'),
  });
  if (seconds !== undefined) http.timeoutMs = seconds * 1000;
  return {
    http,
    dimse: {
      ourAet: checkAet(text('aet') ?? 'PHI', '--aet'),
      port,
      timeoutMs: seconds === undefined ? undefined : seconds * 1000,
    },
  };
}
