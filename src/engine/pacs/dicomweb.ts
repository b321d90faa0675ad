/**
 * A DICOMweb server through the `dicomweb-client` package: QIDO-RS search,
 * WADO-RS retrieve, STOW-RS store. That package speaks XMLHttpRequest, which
 * Node lacks: each request gets an `xhr2` instance (XMLHttpRequest over Node's
 * http/https), with an https.Agent that trusts `--ca-file`. Failures become one
 * {@link PacsError} sentence naming the server and the cause.
 */
import { Agent } from 'node:https';
import { api } from 'dicomweb-client';
import XMLHttpRequest from 'xhr2';
import { ConnectionCut, httpStatusError, malformedError, PacsError, probeConnection } from './errors';
import type { DicomWebTarget } from './target';

/** How to authenticate and whom to trust. */
export interface HttpAccess {
  /** `Authorization` header value (Basic or Bearer), when the server needs one. */
  authorization?: string;
  /** PEM certificates of the hospital CA, added to Node's own. */
  ca?: Buffer;
  /** Milliseconds a request may take (default 120 s). */
  timeoutMs?: number;
  /** Results asked for per QIDO-RS request (default 500). */
  pageSize?: number;
}

/** A QIDO-RS result in DICOM JSON. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/** The first value of a DICOM JSON attribute as text. */
export function jsonValue(item: DicomJson, tag: string): string | undefined {
  const value = item[tag]?.Value?.[0];
  return value === undefined || value === null ? undefined : String(value);
}

interface RequestError extends Error {
  status?: number;
}

/**
 * An xhr2 request whose `readystatechange` handler failures reject `failed`: dicomweb-client
 * parses answers (multipart, JSON) inside that handler, where a throw would escape the promise.
 * With `accept`, that value replaces the Accept header dicomweb-client sets.
 */
class NodeXhr extends XMLHttpRequest {
  readonly failed: Promise<never>;
  /** How the answer went: whether it began, bytes received of those announced, how it ended. */
  private readonly answer = { began: false, received: 0, announced: -1, lost: false, timedOut: false };
  private fail: (error: unknown) => void = () => undefined;
  private handler: ((event: unknown) => void) | null = null;

  constructor(private readonly accept?: string) {
    super();
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
    this.addEventListener(
      'progress',
      (event: { loaded: number; total: number; lengthComputable: boolean }) => {
        Object.assign(this.answer, { began: true, received: event.loaded });
        if (event.lengthComputable) this.answer.announced = event.total;
      },
    );
    this.addEventListener('error', () => (this.answer.lost = true));
    this.addEventListener('timeout', () => (this.answer.timedOut = true));
    Object.defineProperty(this, 'onreadystatechange', {
      get: () => this.handler && this.guarded,
      set: (handler: ((event: unknown) => void) | null) => (this.handler = handler),
    });
  }

  /**
   * When the answer began but did not arrive whole, why: a body shorter than its Content-Length
   * reads as complete to XMLHttpRequest, and the parser then finds no part in it.
   */
  cutShort(server: string, what: string): PacsError | undefined {
    const { began, received, announced, lost, timedOut } = this.answer;
    if (!began || !(lost || timedOut || received < announced)) return undefined;
    if (timedOut)
      return new PacsError(
        `${server} sent no more of its answer to ${what} before the time limit (--timeout), after ${received} bytes.`,
      );
    return new ConnectionCut(server, `its answer to ${what}`, `after ${received} bytes`);
  }

  override setRequestHeader(name: string, value: string): void {
    super.setRequestHeader(name, this.accept && name.toLowerCase() === 'accept' ? this.accept : value);
  }

  private readonly guarded = (event: unknown): void => {
    try {
      this.handler?.(event);
    } catch (error) {
      this.fail(error);
    }
  };
}

type Req = { request: { instance: NodeXhr } };
/** The calls used, as dicomweb-client's code has them (its bundled types say QIDO returns arrays, not promises). */
interface Client {
  searchForStudies(o: Req & { queryParams: Record<string, string> }): Promise<unknown>;
  searchForInstances(
    o: Req & { studyInstanceUID: string; queryParams: Record<string, string> },
  ): Promise<unknown>;
  retrieveInstance(
    o: Req & {
      studyInstanceUID: string;
      seriesInstanceUID: string;
      sopInstanceUID: string;
    },
  ): Promise<unknown>;
  storeInstances(o: Req & { datasets: ArrayBuffer[] }): Promise<unknown>;
}

/** See the module comment. */
export class DicomWebPacs {
  private readonly client: Client;
  private readonly agent: Agent | undefined;

  constructor(
    readonly target: DicomWebTarget,
    private readonly access: HttpAccess = {},
  ) {
    this.agent = target.url.startsWith('https:') ? new Agent({ ca: access.ca, keepAlive: true }) : undefined;
    const options = {
      url: target.url,
      headers: access.authorization ? { Authorization: access.authorization } : {},
      verbose: false,
    };
    this.client = new api.DICOMwebClient(options as never) as unknown as Client;
  }

  private request(accept?: string): { instance: NodeXhr } {
    const instance = new NodeXhr(accept);
    if (this.agent) instance.nodejsSet({ httpsAgent: this.agent });
    instance.timeout = this.access.timeoutMs ?? 120_000;
    return { instance };
  }

  /** Runs one dicomweb-client call; turns its failures into a sentence about `what`. */
  private async call<T>(
    what: string,
    run: (request: { instance: NodeXhr }) => Promise<T>,
    accept?: string,
  ): Promise<T> {
    const request = this.request(accept);
    let result: T;
    try {
      result = await Promise.race([run(request), request.instance.failed]);
    } catch (error) {
      const cut = request.instance.cutShort(this.target.name, what);
      if (cut) throw cut;
      const status = (error as RequestError).status;
      if (status === 0 || status === undefined) {
        if (status === undefined) throw malformedError(this.target.name, what, (error as Error).message);
        const url = new URL(this.target.url);
        const https = url.protocol === 'https:';
        const cause = await probeConnection(
          url.hostname,
          Number(url.port || (https ? 443 : 80)),
          https ? { ca: this.access.ca } : undefined,
        );
        throw new PacsError(
          `${this.target.name} could not be reached to ${what}: ${cause ?? 'no answer before the time limit'}.`,
        );
      }
      throw httpStatusError(this.target.name, status, what);
    }
    const cut = request.instance.cutShort(this.target.name, what);
    if (cut) throw cut;
    return result;
  }

  /** A QIDO-RS search; checks the answer is a JSON array. */
  private async search(
    what: string,
    run: (request: { instance: NodeXhr }) => Promise<unknown>,
  ): Promise<DicomJson[]> {
    const answer = await this.call(what, run);
    if (!Array.isArray(answer))
      throw malformedError(this.target.name, what, 'the answer is not a DICOM JSON array');
    return answer as DicomJson[];
  }

  /**
   * A QIDO-RS search through every page (`limit` and `offset`), until a page is empty or brings
   * nothing new (a server that ignores `offset` repeats its first page). A page shorter than asked
   * is not taken as the last: servers cap pages at a size of their own.
   */
  private async searchPages(
    what: string,
    key: string,
    run: (page: Record<string, string>, request: { instance: NodeXhr }) => Promise<unknown>,
  ): Promise<DicomJson[]> {
    const size = this.access.pageSize ?? 500;
    const found = new Map<string, DicomJson>();
    for (let offset = 0; ;) {
      const page = await this.search(what, (request) =>
        run({ limit: String(size), offset: String(offset) }, request),
      );
      const before = found.size;
      for (const item of page) found.set(jsonValue(item, key) ?? JSON.stringify(item), item);
      if (found.size === before) return [...found.values()];
      offset += page.length;
    }
  }

  /** QIDO-RS: one study, to see that the server answers. */
  ping(): Promise<DicomJson[]> {
    return this.search('search for studies', (request) =>
      this.client.searchForStudies({ queryParams: { limit: '1' }, request }),
    );
  }

  /** QIDO-RS studies matching `keys` (DICOM keywords to match values), all pages. */
  searchStudies(keys: Record<string, string>): Promise<DicomJson[]> {
    return this.searchPages('search for studies', '0020000D', (page, request) =>
      this.client.searchForStudies({ queryParams: { ...keys, ...page }, request }),
    );
  }

  /** QIDO-RS instances of a study (their series and SOP instance UIDs), all pages. */
  searchInstances(studyInstanceUID: string): Promise<DicomJson[]> {
    return this.searchPages('list the instances of a study', '00080018', (page, request) =>
      this.client.searchForInstances({ studyInstanceUID, queryParams: page, request }),
    );
  }

  /**
   * WADO-RS one instance as Part-10 bytes, in the transfer syntax the server holds it in
   * (`transfer-syntax=*`): without it the standard asks for Explicit VR Little Endian, and a
   * server that cannot decompress (Orthanc and JPEG 2000) fails the request. dicomweb-client
   * cannot ask for it (its `mediaTypes` check of `retrieveInstance` refuses `application/dicom`),
   * so the request's Accept header is replaced.
   */
  async retrieveInstance(study: string, series: string, sop: string): Promise<Uint8Array> {
    const what = 'send an instance';
    const part = await this.call(
      what,
      (request) =>
        this.client.retrieveInstance({
          studyInstanceUID: study,
          seriesInstanceUID: series,
          sopInstanceUID: sop,
          request,
        }),
      'multipart/related; type="application/dicom"; transfer-syntax=*',
    );
    if (!(part instanceof ArrayBuffer))
      throw malformedError(this.target.name, what, 'no application/dicom part in the answer');
    const bytes = new Uint8Array(part);
    if (bytes.length < 132 || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM')
      throw malformedError(this.target.name, what, 'the part is not a DICOM Part-10 file');
    return bytes;
  }

  /** STOW-RS: stores Part-10 files. */
  async store(files: Uint8Array[]): Promise<void> {
    const datasets = files.map(
      (f) => f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) as ArrayBuffer,
    );
    await this.call('store instances', (request) => this.client.storeInstances({ datasets, request }));
  }
}
