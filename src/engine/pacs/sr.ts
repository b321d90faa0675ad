/**
 * A classification result as a Comprehensive SR in the source image's study: the
 * class the model gives the image, each class's probability, the model's name and
 * project hash, a reference to the image it was computed on, and the sentence that
 * it is not for diagnosis. Class codes are private (scheme `99PHI`, the class
 * index as value, the user's class name as meaning): no standard code is claimed
 * for a class the user named. Verification Flag UNVERIFIED: nobody signed it.
 */
import { newInstanceOf, readDataset, referenceTo, studyReference, writePart10 } from './derived';

const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
export const NOT_FOR_DIAGNOSIS =
  'Not for diagnosis: research output of a model built in Phi Studio, not verified by a physician.';

/** What the model said about one image. */
export interface ClassificationResult {
  /** Every class, in the model's order, with the probability it gives the image. */
  classes: { name: string; probability: number }[];
  /** The model's name as the user knows it. */
  model: string;
  /** The hash of the project (pipeline and data) that trained it. */
  projectHash: string;
}

function code(value: string, scheme: string, meaning: string): Record<string, unknown>[] {
  return [{ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning }];
}

function text(value: string, scheme: string, meaning: string, words: string): Record<string, unknown> {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'TEXT',
    ConceptNameCodeSequence: code(value, scheme, meaning),
    TextValue: words,
  };
}

/** Refuses a result that cannot be reported as it is. */
function checkResult(result: ClassificationResult): void {
  if (!result.classes.length) throw new Error('give the probability of each class (at least one)');
  for (const { name, probability } of result.classes)
    if (!(probability >= 0 && probability <= 1))
      throw new Error(`the probability of "${name}" is ${probability}, not a number from 0 to 1`);
  const names = result.classes.map((c) => c.name);
  // "Probability of NAME" is a code meaning: 64 characters at most.
  const long = names.find((name) => !name.trim() || name.length > 49);
  if (long !== undefined)
    throw new Error(`the class name "${long}" must have 1 to 49 characters to be named in a DICOM code`);
  if (new Set(names).size !== names.length) throw new Error(`a class is named twice: ${names.join(', ')}`);
  if (!result.model.trim()) throw new Error('give the name of the model (--model)');
  if (!result.projectHash.trim())
    throw new Error('give the project hash the model was trained in (--project-hash)');
}

/** Builds the SR of `result` for the image in `sourceFile`; returns its bytes and the class given. */
export function buildClassificationSr(
  result: ClassificationResult,
  sourceFile: string,
): { bytes: Uint8Array; predicted: string } {
  checkResult(result);
  const source = readDataset(sourceFile);
  const best = result.classes.reduce((a, b) => (b.probability > a.probability ? b : a));
  const index = (name: string): string => String(result.classes.findIndex((c) => c.name === name));
  const dataset = newInstanceOf(
    source,
    COMPREHENSIVE_SR,
    'SR',
    'Phi Studio classification, not for diagnosis',
  );
  Object.assign(dataset, {
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    CurrentRequestedProcedureEvidenceSequence: studyReference([source]),
    ReferencedPerformedProcedureStepSequence: [],
    PerformedProcedureCodeSequence: [],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code('126000', 'DCM', 'Imaging Measurement Report'),
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: [
      text('121106', 'DCM', 'Comment', NOT_FOR_DIAGNOSIS),
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CODE',
        ConceptNameCodeSequence: code('121071', 'DCM', 'Finding'),
        ConceptCodeSequence: code(index(best.name), '99PHI', best.name),
      },
      ...result.classes.map(({ name, probability }) => ({
        RelationshipType: 'CONTAINS',
        ValueType: 'NUM',
        ConceptNameCodeSequence: code(`p${index(name)}`, '99PHI', `Probability of ${name}`),
        MeasuredValueSequence: [
          {
            NumericValue: Number(probability.toFixed(6)),
            MeasurementUnitsCodeSequence: code('1', 'UCUM', 'no units'),
          },
        ],
      })),
      text('111001', 'DCM', 'Algorithm Name', result.model),
      text('111003', 'DCM', 'Algorithm Version', `project ${result.projectHash}`),
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'IMAGE',
        ConceptNameCodeSequence: code('121112', 'DCM', 'Source of Measurement'),
        ReferencedSOPSequence: [referenceTo(source)],
      },
    ],
  });
  return { bytes: writePart10(dataset), predicted: best.name };
}
