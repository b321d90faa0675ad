/**
 * Our own C-STORE SCP for C-MOVE: listens on `--port` under our AE title, accepts
 * every storage SOP class the PACS proposes, and hands each instance received to
 * `onInstance` as Part-10 bytes. The C-STORE answer waits for `onInstance`, so a
 * file that could not be written is reported to the PACS as a failure.
 */
import type { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { answerStore, type ReceivedDataset } from './received';

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
type PresentationContext = InstanceType<typeof dimse.association.PresentationContext>;
type Dataset = InstanceType<typeof dimse.Dataset>;
type EchoRequest = InstanceType<typeof dimse.requests.CEchoRequest>;
type StoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type EchoResponse = InstanceType<typeof responses.CEchoResponse>;
type StoreResponse = InstanceType<typeof responses.CStoreResponse>;

/** A running C-STORE SCP. */
export interface StoreScp {
  close(): void;
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

    /** The bytes of the C-STORE dataset being received, and their transfer syntax. */
    private received: ReceivedDataset | undefined;

    override createDatasetFromStoreWritableStream(
      writable: Writable,
      context: PresentationContext,
      callback: (dataset: Dataset) => void,
    ): void {
      const bytes = (writable as Writable & { toBuffer(): Buffer }).toBuffer();
      this.received = { bytes, syntax: context.getAcceptedTransferSyntaxUid() ?? '' };
      super.createDatasetFromStoreWritableStream(writable, context, callback);
    }

    override cStoreRequest(request: StoreRequest, callback: (response: StoreResponse) => void): void {
      const received = this.received;
      this.received = undefined;
      answerStore(request, received, onInstance, callback);
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
