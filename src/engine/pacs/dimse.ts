/**
 * A DIMSE peer through `dcmjs-dimse`: C-ECHO, C-FIND (study root), C-MOVE, C-GET
 * and C-STORE as a service class user, each on its own association with connect,
 * association and PDU time limits. A rejected association, a network error or a
 * failure status becomes one {@link PacsError} sentence naming the server.
 */
import { createRequire } from 'node:module';
import dimse from 'dcmjs-dimse';
import type { Writable } from 'node:stream';
import { ConnectionCut, networkCause, PacsError } from './errors';
import { answerStore, type ReceivedDataset } from './received';
import type { DimseTarget } from './target';

const { Client, constants, requests } = dimse;
const { Status, TransferSyntax } = constants;
const COMPRESSED = [
  TransferSyntax.RleLossless,
  TransferSyntax.JpegBaseline,
  TransferSyntax.JpegLossless,
  TransferSyntax.JpegLsLossless,
  TransferSyntax.JpegLsLossy,
  TransferSyntax.Jpeg2000Lossless,
  TransferSyntax.Jpeg2000Lossy,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
];
dimse.log.setLevel('silent');
// dcmjs-dimse's own copy of dcmjs names each private attribute it drops when it encodes a
// dataset to send (C-STORE), on the console: quiet.
const require = createRequire(import.meta.url);
(
  createRequire(require.resolve('dcmjs-dimse'))('dcmjs') as { log: { setLevel(level: string): void } }
).log.setLevel('error');

type DimseRequest = InstanceType<typeof requests.Request>;
type DimseResponse = {
  getStatus(): number;
  getErrorComment(): string;
  hasDataset(): boolean;
  getDataset(): { getElements(): Record<string, unknown> } | undefined;
  getFailures?(): number;
  getCompleted?(): number;
};

/** Our side of an association. */
export interface DimseOptions {
  /** Our AE title (the calling AE title). */
  ourAet: string;
  /** Milliseconds for connecting, for the association and for each PDU (default 30 s). */
  timeoutMs?: number;
}

const REJECT_REASONS: Record<string, Record<number, string>> = {
  // PS3.8 Table 9-21: source 1 is the service user (the PACS's application).
  1: {
    1: 'no reason given',
    2: 'application context not supported',
    3: 'it does not know our AE title',
    7: 'it does not know the AE title we called',
  },
  2: { 1: 'no reason given', 2: 'protocol version not supported' },
  3: { 1: 'temporary congestion', 2: 'local limit exceeded' },
};

/** The sentence for a rejected association. */
function rejectedError(
  target: DimseTarget,
  ourAet: string,
  reject: { source: number; reason: number; result: number },
): PacsError {
  const reason = REJECT_REASONS[reject.source]?.[reject.reason] ?? `reason ${reject.reason}`;
  const advice =
    reject.source === 1 && reject.reason !== 2
      ? `; check that the PACS lists our AE title "${ourAet}" and that it answers to "${target.aet}"`
      : '';
  const permanence = reject.result === 1 ? 'permanently' : 'for now';
  return new PacsError(
    `${target.name} rejected our AE title "${ourAet}" ${permanence} (${reason})${advice}.`,
  );
}

/** The words for a DIMSE status. */
function statusWords(status: number): string {
  const named = Object.entries(Status).find(([, value]) => value === status)?.[0];
  return `status 0x${status.toString(16).padStart(4, '0')}${named ? ` ${named}` : ''}`;
}

type StoreRequest = InstanceType<typeof requests.CStoreRequest>;
type StoreResponse = InstanceType<typeof dimse.responses.CStoreResponse>;
type Association = InstanceType<typeof dimse.association.Association>;
/** The parts of dcmjs-dimse's network object a C-GET needs: the association it proposes, where a received dataset's bytes end up. */
type ClientNetwork = {
  sendAssociationRequest(association: Association): void;
  createDatasetFromStoreWritableStream(
    writable: Writable,
    context: { getAcceptedTransferSyntaxUid(): string | undefined },
    callback: (dataset: unknown) => void,
  ): void;
};

/**
 * Answers the C-STORE sub-operations of a C-GET on `client`'s association: each dataset's
 * bytes, as they arrived, go to `onInstance` as a Part-10 file; the answer waits for it, so a
 * file that could not be written is a failure the PACS counts.
 */
function receiveOnAssociation(
  client: InstanceType<typeof Client>,
  onInstance: (bytes: Uint8Array) => Promise<void>,
  storageClasses: string[],
): void {
  const arrived: ReceivedDataset[] = [];
  // dcmjs-dimse parses a received dataset (re-encoding would drop what dcmjs does not know):
  // its network object is made by send(), so the raw bytes are taken there.
  const network = (client as unknown as { network?: ClientNetwork }).network;
  if (network) {
    // dcmjs-dimse proposes its storage classes uncompressed only: a PACS that cannot decompress
    // an instance (Orthanc and JPEG 2000) fails its sub-operation. One context per class and
    // compressed syntax, with our SCP role, lets it send the instance as stored.
    const propose = network.sendAssociationRequest.bind(network);
    network.sendAssociationRequest = (association) => {
      for (const sopClass of storageClasses)
        for (const syntax of COMPRESSED) {
          const id = association.addPresentationContext(sopClass);
          association.addTransferSyntaxToPresentationContext(id, syntax);
          association.getPresentationContext(id).setProviderRole(true);
        }
      propose(association);
    };
    const parse = network.createDatasetFromStoreWritableStream.bind(network);
    network.createDatasetFromStoreWritableStream = (writable, context, callback) => {
      const bytes = (writable as Writable & { toBuffer(): Buffer }).toBuffer();
      arrived.push({ bytes, syntax: context.getAcceptedTransferSyntaxUid() ?? '' });
      parse(writable, context, callback);
    };
  }
  client.on('cStoreRequest', (request: StoreRequest, callback: (response: StoreResponse) => void) =>
    answerStore(request, arrived.shift(), onInstance, callback),
  );
}

/**
 * Opens one association, sends `list` and resolves with each request's responses once the
 * association is released; `onInstance` receives the instances a C-GET brings on it.
 */
function associate(
  target: DimseTarget,
  options: DimseOptions,
  list: DimseRequest[],
  onInstance?: (bytes: Uint8Array) => Promise<void>,
  storageClasses: string[] = [],
): Promise<DimseResponse[][]> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const answers: DimseResponse[][] = list.map(() => []);
    list.forEach((request, k) => {
      request.on('response', (response: DimseResponse) => answers[k].push(response));
      client.addRequest(request);
    });
    let failure: PacsError | undefined;
    client.on('associationRejected', (r: { source: number; reason: number; result: number }) => {
      failure ??= rejectedError(target, options.ourAet, r);
    });
    let accepted = false;
    client.on('associationAccepted', () => (accepted = true));
    client.on('networkError', (error: Error & { code?: string }) => {
      // Once associated, a lost connection shows in the answers: final() names the operation cut.
      if (!accepted)
        failure ??= new PacsError(`${target.name} could not be reached: ${networkCause(error)}.`);
    });
    client.on('closed', () => (failure ? reject(failure) : resolve(answers)));
    const timeout = options.timeoutMs ?? 30_000;
    client.send(target.host, target.port, options.ourAet, target.aet, {
      connectTimeout: timeout,
      associationTimeout: timeout,
      pduTimeout: timeout,
    });
    if (onInstance) receiveOnAssociation(client, onInstance, storageClasses);
  });
}

/** The final response of a request; throws when it is missing or not a success (warnings pass). */
function final(target: DimseTarget, what: string, responses: DimseResponse[]): DimseResponse {
  const last = responses[responses.length - 1];
  const status = last?.getStatus();
  // No answer, or a pending one last: the connection ended before the operation did.
  if (!last || status === Status.Pending || status === 0xff01)
    throw new ConnectionCut(target.name, `the ${what}`);
  if (status !== Status.Success && (status & 0xf000) !== 0xb000) {
    const comment = last.getErrorComment?.();
    throw new PacsError(
      status === Status.MoveDestinationUnknown
        ? `${target.name} does not know where to send the images: add our AE title with our host and --port to its modalities.`
        : `${target.name} failed the ${what} (${statusWords(status)}${comment ? `: ${comment}` : ''}).`,
    );
  }
  return last;
}

/** C-ECHO. */
export async function echo(target: DimseTarget, options: DimseOptions): Promise<void> {
  const [responses] = await associate(target, options, [new requests.CEchoRequest()]);
  final(target, 'C-ECHO', responses);
}

/** The query levels of the study root model. */
export type FindLevel = 'STUDY' | 'SERIES' | 'IMAGE';

/** C-FIND at `level`: the matches' attributes (DICOM keywords) for the keys asked. */
export async function find(
  target: DimseTarget,
  options: DimseOptions,
  level: FindLevel,
  keys: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const make = {
    STUDY: requests.CFindRequest.createStudyFindRequest,
    SERIES: requests.CFindRequest.createSeriesFindRequest,
    IMAGE: requests.CFindRequest.createImageFindRequest,
  }[level];
  const [responses] = await associate(target, options, [make(keys)]);
  final(target, `C-FIND at ${level} level`, responses);
  return responses
    .filter((r) => r.getStatus() === Status.Pending && r.hasDataset())
    .map((r) => r.getDataset()?.getElements() ?? {});
}

/** One C-MOVE: a series, or one instance of it. */
export interface MoveItem {
  study: string;
  series: string;
  sop?: string;
}

/**
 * C-MOVE of each item to `destination` (our own C-STORE SCP's AE title), all on one
 * association; returns how many sub-operations failed.
 */
export async function move(
  target: DimseTarget,
  options: DimseOptions,
  destination: string,
  items: MoveItem[],
): Promise<number> {
  const list = items.map((i) =>
    i.sop
      ? requests.CMoveRequest.createImageMoveRequest(destination, i.study, i.series, i.sop)
      : requests.CMoveRequest.createSeriesMoveRequest(destination, i.study, i.series),
  );
  const answers = await associate(target, options, list);
  return answers.reduce(
    (sum, responses) => sum + (final(target, 'C-MOVE', responses).getFailures?.() ?? 0),
    0,
  );
}

/**
 * C-GET of each item, all on one association: the PACS sends the instances back on it (no port
 * of ours to reach), each handed to `onInstance`; returns how many sub-operations failed.
 * `storageClasses` (the SOP classes of the instances, where known) are also proposed with the
 * compressed transfer syntaxes, so that the PACS need not decompress.
 */
export async function get(
  target: DimseTarget,
  options: DimseOptions,
  items: MoveItem[],
  onInstance: (bytes: Uint8Array) => Promise<void>,
  storageClasses: string[] = [],
): Promise<number> {
  const list = items.map((i) =>
    i.sop
      ? requests.CGetRequest.createImageGetRequest(i.study, i.series, i.sop)
      : requests.CGetRequest.createSeriesGetRequest(i.study, i.series),
  );
  const answers = await associate(target, options, list, onInstance, storageClasses);
  return answers.reduce(
    (sum, responses) => sum + (final(target, 'C-GET', responses).getFailures?.() ?? 0),
    0,
  );
}

/** C-STORE of Part-10 files (paths), on one association. */
export async function store(target: DimseTarget, options: DimseOptions, files: string[]): Promise<void> {
  const answers = await associate(
    target,
    options,
    files.map((file) => new requests.CStoreRequest(file)),
  );
  answers.forEach((responses) => final(target, 'C-STORE', responses));
}
