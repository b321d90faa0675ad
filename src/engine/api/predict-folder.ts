/**
 * `phi predict`: a trained network node of the open project run on a folder
 * of images, each file through the node's chain of modules, the outputs
 * written under another folder (README.md, `phi predict`).
 */
import { z } from 'zod';
import { InferenceRuntimeSchema } from './export';

/** Params of `predictFolder`. */
export const PredictFolderRequestSchema = z.object({
  /** The network node whose trained model predicts. */
  node: z.string().min(1),
  /** The folder of images (read recursively; DICOM series as volumes for a 3-D network); absolute. */
  input: z.string().min(1).max(4096),
  /** Where predictions are written (created); absolute. */
  output: z.string().min(1).max(4096),
  runtime: InferenceRuntimeSchema.default('tfjs'),
});
/** See {@link PredictFolderRequestSchema}. */
export type PredictFolderRequest = z.input<typeof PredictFolderRequestSchema>;

/** The answer of `predictFolder`. */
export interface PredictFolderResult {
  /** Where the predictions were written (absolute). */
  output: string;
  /** Inputs predicted and written. */
  done: number;
  /** Inputs that failed, in order, each with why. */
  failed: { id: string; reason: string }[];
  /** The runtime that ran the network and why it was chosen. */
  runtime: { used: 'tfjs' | 'onnx'; reason: string };
  /** Why a segmentation's masks hold class indices rather than the dataset's mask values. */
  maskValuesProblem?: string;
  /** What the outputs' values and coordinates mean (mask sizes and class values, box space). */
  notes: string[];
}
