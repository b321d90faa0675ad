/**
 * "Test connection": one C-ECHO (DIMSE) or one QIDO-RS study search (DICOMweb),
 * answered by a sentence saying that the server works with these settings, or
 * a {@link PacsError} sentence saying why not.
 */
import { DicomWebPacs, type HttpAccess } from './dicomweb';
import { echo, type DimseOptions } from './dimse';
import type { PacsTarget } from './target';

/** The verdict sentence for a server that answered. */
export async function testConnection(
  target: PacsTarget,
  access: { http: HttpAccess; dimse: DimseOptions },
): Promise<string> {
  if (target.kind === 'dimse') {
    await echo(target, access.dimse);
    return `${target.name} answers: C-ECHO from our AE title "${access.dimse.ourAet}" succeeded.`;
  }
  await new DicomWebPacs(target, access.http).ping();
  return `${target.name} answers: a QIDO-RS study search${access.http.authorization ? ' with these credentials' : ''} succeeded.`;
}
