/**
 * Our own C-STORE SCP for C-MOVE: listens on `--port` under our AE title, accepts
 * every storage SOP class the PACS proposes, and hands each instance received to
 * `onInstance` as Part-10 bytes. The C-STORE answer waits for `onInstance`, so a
 * file that could not be written is reported to the PACS as a failure.
 */
import dimse from 'dcmjs-dimse';
import { lib } from './dcmjs';

const { Scp, Server, constants, responses } = dimse;
const {
  Status,
  PresentationContextResult,
  RejectResult,
  RejectSource,
  RejectReason,
  TransferSyntax,
  SopClass,
} = constants;

type Association = InstanceType<typeof dimse.association.Association>;
type EchoRequest = InstanceType<typeof dimse.requests.CEchoRequest>;
type StoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type EchoResponse = InstanceType<typeof responses.CEchoResponse>;
type StoreResponse = InstanceType<typeof responses.CStoreResponse>;

/** A running C-STORE SCP. */
export interface StoreScp {
  close(): void;
}

/** The Part-10 bytes of a dataset received over DIMSE (what dcmjs-dimse's `Dataset.toFile` writes). */
function part10(elements: Record<string, unknown>, transferSyntax: string): Uint8Array {
  const { DicomMetaDictionary, DicomDict } = lib.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: elements.SOPClassUID,
    MediaStorageSOPInstanceUID: elements.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: DicomMetaDictionary.uid(),
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(elements);
  return new Uint8Array(dict.write());
}

const PREFERRED = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];

/** Starts the SCP on `port` (all interfaces, so that the PACS can reach it). */
export function startStoreScp(
  aet: string,
  port: number,
  onInstance: (bytes: Uint8Array) => Promise<void>,
): Promise<StoreScp> {
  class StoreScpImpl extends Scp {
    override associationRequested(association: Association): void {
      if (association.getCalledAeTitle().trim() !== aet) {
        this.sendAssociationReject(
          RejectResult.Permanent,
          RejectSource.ServiceUser,
          RejectReason.CalledAeNotRecognized,
        );
        return;
      }
      for (const { id } of association.getPresentationContexts() as { id: number }[]) {
        const context = association.getPresentationContext(id);
        const offered = context.getTransferSyntaxUids();
        const syntax = PREFERRED.find((t) => offered.includes(t)) ?? offered[0];
        const storage = context.getAbstractSyntaxUid() !== SopClass.Verification;
        context.setResult(
          syntax
            ? PresentationContextResult.Accept
            : PresentationContextResult.RejectTransferSyntaxesNotSupported,
          storage || syntax ? syntax : undefined,
        );
      }
      this.sendAssociationAccept();
    }

    override cEchoRequest(request: EchoRequest, callback: (response: EchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override cStoreRequest(request: StoreRequest, callback: (response: StoreResponse) => void): void {
      const response = responses.CStoreResponse.fromRequest(request);
      const dataset = request.getDataset();
      const done = (status: number): void => {
        response.setStatus(status);
        callback(response);
      };
      if (!dataset) return done(Status.ProcessingFailure);
      onInstance(part10(dataset.getElements(), dataset.getTransferSyntaxUid())).then(
        () => done(Status.Success),
        () => done(Status.ProcessingFailure),
      );
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }
  }
  const server = new Server(StoreScpImpl);
  return new Promise((resolve, reject) => {
    server.on('networkError', (error: Error) => reject(error));
    server.on('listening', () => resolve({ close: () => server.close() }));
    server.listen(port);
  });
}
