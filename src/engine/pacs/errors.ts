/**
 * PACS failures as one sentence naming the server and the cause (wrong password,
 * refused AE title, nothing listening, a malformed answer), so that the CLI can
 * print it as it is and exit with 1.
 */
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** A failure talking to a PACS; `message` is the sentence to show. */
export class PacsError extends Error {}

/**
 * The server dropped the connection before its answer was whole (`what`: "the C-GET", "its
 * answer to send an instance"); `detail` says how far it got.
 */
export class ConnectionCut extends PacsError {
  constructor(
    readonly server: string,
    readonly what: string,
    readonly detail?: string,
  ) {
    super(`${server} closed the connection in the middle of ${what}${detail ? ` (${detail})` : ''}.`);
  }
}

/** A PACS URL, option or filter that cannot be used as given (the CLI exits with 2). */
export class PacsUsageError extends Error {}

/** The sentence for an HTTP status a DICOMweb server answered with. */
export function httpStatusError(server: string, status: number, what: string): PacsError {
  if (status === 401)
    return new PacsError(
      `${server} refused the credentials (HTTP 401): check --user and --password-file, or --token-file.`,
    );
  if (status === 403) return new PacsError(`${server} does not allow this account to ${what} (HTTP 403).`);
  if (status === 404)
    return new PacsError(`${server} has no DICOMweb service at this URL (HTTP 404 on ${what}).`);
  return new PacsError(`${server} failed to ${what} (HTTP ${status}).`);
}

/** The sentence for an answer that is not what the standard says it must be. */
export function malformedError(server: string, what: string, detail: string): PacsError {
  return new PacsError(`${server} sent a malformed answer to ${what}: ${detail}.`);
}

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening on that port (connection refused)',
  ENOTFOUND: 'the host name is unknown',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the server closed the connection',
};

/** A network error in words: the cause by its code, or its own message. */
export function networkCause(error: Error & { code?: string }): string {
  // dcmjs-dimse passes the socket's error on as text: find its code there.
  const code = error.code ?? /\b(E[A-Z]{4,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(error.message)?.[1];
  if (code && CAUSES[code]) return CAUSES[code];
  if (code && /CERT|SELF_SIGNED|UNABLE_TO/.test(code))
    return `its TLS certificate is not trusted (${code}): give the hospital CA with --ca-file`;
  return error.message.replace(/^[\s>-]+/, '');
}

/**
 * Why `host:port` cannot be reached: connects (with TLS when `tls`) and returns the cause in
 * words, or undefined when the connection opens. XMLHttpRequest reports a failed request as
 * status 0 without a cause; this finds it.
 */
export function probeConnection(
  host: string,
  port: number,
  tls: { ca?: Buffer } | undefined,
  timeoutMs = 10_000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls
      ? connectTls({ host, port, ca: tls.ca, servername: isIP(host) ? undefined : host })
      : connectTcp({ host, port });
    const done = (cause: string | undefined): void => {
      socket.destroy();
      resolve(cause);
    };
    socket.setTimeout(timeoutMs, () => done(CAUSES.ETIMEDOUT));
    socket.once(tls ? 'secureConnect' : 'connect', () => done(undefined));
    socket.once('error', (error) => done(networkCause(error)));
  });
}
