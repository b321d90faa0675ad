/**
 * A report PDF as an Encapsulated PDF instance in the source image's study: the
 * file's bytes as they are, its title, and a reference to the image the report is
 * about, so that a PACS viewer lists it with the study.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { newInstanceOf, readDataset, referenceTo, writePart10 } from './derived';

const ENCAPSULATED_PDF = '1.2.840.10008.5.1.4.1.1.104.1';

/** Builds the Encapsulated PDF of `pdfFile` in the study of the image in `sourceFile`. */
export function buildEncapsulatedPdf(
  pdfFile: string,
  sourceFile: string,
  title = basename(pdfFile).replace(/\.pdf$/i, ''),
): { bytes: Uint8Array; pdfBytes: number } {
  const pdf = readFileSync(pdfFile);
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
    throw new Error(`${pdfFile} is not a PDF file (it does not start with %PDF-)`);
  const source = readDataset(sourceFile);
  // OB values have an even length: one NUL pads an odd file, as PS3.3 A.45.1.4.1 allows.
  const padded = pdf.length % 2 ? Buffer.concat([pdf, Buffer.alloc(1)]) : pdf;
  const dataset = newInstanceOf(source, ENCAPSULATED_PDF, 'DOC', `Phi Studio report: ${title}`.slice(0, 64));
  Object.assign(dataset, {
    ConversionType: 'WSD',
    BurnedInAnnotation: 'YES',
    DocumentTitle: title.slice(0, 1024),
    ConceptNameCodeSequence: [],
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocumentLength: pdf.length,
    SourceInstanceSequence: [referenceTo(source)],
    EncapsulatedDocument: [padded.buffer.slice(padded.byteOffset, padded.byteOffset + padded.byteLength)],
  });
  return { bytes: writePart10(dataset), pdfBytes: pdf.length };
}
