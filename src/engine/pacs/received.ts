/**
 * Instances received over DIMSE (by our C-STORE SCP for C-MOVE, or on a C-GET
 * association) kept byte for byte: the dataset as it arrived after a new file meta group.
 */
import { lib } from './dcmjs';

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
