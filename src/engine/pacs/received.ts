/**
 * Instances received over DIMSE (by our C-STORE SCP for C-MOVE, or on a C-GET
 * association) kept byte for byte: the dataset as it arrived after a new file meta group.
 */
import dimse from 'dcmjs-dimse';
import { lib } from './dcmjs';

const { responses, constants } = dimse;
type StoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type StoreResponse = InstanceType<typeof responses.CStoreResponse>;

/** The dataset bytes of a C-STORE as they arrived, and their transfer syntax. */
export interface ReceivedDataset {
  bytes: Uint8Array;
  syntax: string;
}

/**
 * The Part-10 file of a dataset received over DIMSE: a file meta group written by dcmjs,
 * then the dataset's bytes exactly as they came (nothing re-encoded, private attributes kept).
 */
export function part10(
  dataset: Uint8Array,
  transferSyntax: string,
  sopClass: string,
  sopInstance: string,
): Uint8Array {
  const { DicomMetaDictionary, DicomDict } = lib.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sopInstance,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: DicomMetaDictionary.uid(),
  };
  const head = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  head.dict = {};
  const start = new Uint8Array(head.write());
  const file = new Uint8Array(start.length + dataset.length);
  file.set(start);
  file.set(dataset, start.length);
  return file;
}

/**
 * Answers a C-STORE request (from the PACS, for a C-MOVE or a C-GET): its dataset as received goes
 * to `onInstance` as a Part-10 file, and the answer waits for it, so a file that could not be
 * written is a failure the PACS counts.
 */
export function answerStore(
  request: StoreRequest,
  received: ReceivedDataset | undefined,
  onInstance: (bytes: Uint8Array) => Promise<void>,
  callback: (response: StoreResponse) => void,
): void {
  const response = responses.CStoreResponse.fromRequest(request);
  const done = (status: number): void => {
    response.setStatus(status);
    callback(response);
  };
  if (!received) return done(constants.Status.ProcessingFailure);
  const file = part10(
    received.bytes,
    received.syntax,
    request.getAffectedSopClassUid(),
    request.getAffectedSopInstanceUid(),
  );
  onInstance(file).then(
    () => done(constants.Status.Success),
    () => done(constants.Status.ProcessingFailure),
  );
}
