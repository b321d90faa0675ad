/**
 * Batch preprocessing outside a pipeline (`phi process`): a chain of modules
 * applied to one image file or every image under a folder, each result
 * written under the output folder with the same stem and sub-folders.
 */
import { z } from 'zod';
import { ParamsRecordSchema } from './limits';

/** Params of `processImages`. */
export const ProcessRequestSchema = z.object({
  /** Modules applied in order: built-ins, or the open project's custom modules this computer trusts. */
  steps: z
    .array(z.object({ module: z.string().min(1), params: ParamsRecordSchema.default({}) }))
    .min(1, 'give at least one module'),
  /** An image file or a folder (read recursively); absolute, or relative to the engine's folder. */
  input: z.string().min(1).max(4096),
  output: z.string().min(1).max(4096),
  /** png (8/16-bit, 2-D) or npy (float32); `auto`: png where the result fits, else npy. */
  format: z.enum(['png', 'npy', 'auto']).default('auto'),
  /** The split the samples carry: augmentations act on train only; none by default. */
  split: z.enum(['train', 'validation', 'test']).optional(),
  /** Seed of the modules' random streams. */
  seed: z.number().int().default(0),
});
/** See {@link ProcessRequestSchema}. */
export type ProcessRequest = z.input<typeof ProcessRequestSchema>;

/** What became of one input file. */
export interface ProcessedFile {
  /** Path relative to the input folder (the file's name for a single file). */
  file: string;
  state: 'written' | 'dropped' | 'failed';
  /** Where the result was written (absolute). */
  target?: string;
  shape?: number[];
  dtype?: string;
  /** Why it failed. */
  error?: string;
}

/** The answer of `processImages`: every input file in order. */
export interface ProcessResult {
  files: ProcessedFile[];
}
