/**
 * Size limits of what a front end may send: per field and per request. A
 * request or field past them is refused with a message that says which limit,
 * before anything is stored. Generous for real use (a 3-D network's params,
 * a long module), small enough that no request can flood a project file.
 */
import { z } from 'zod';

const KB = 1024;
const MB = 1024 * KB;

/** The limits, in one place. */
export const LIMITS = {
  /** One request's params as JSON. */
  requestBytes: 8 * MB,
  /** A node or edge id, a parameter name. */
  nameChars: 200,
  /** A node's label (its title on the canvas). */
  labelChars: 200,
  /** A short text: a module's title, category, modality. */
  titleChars: 200,
  /** A module's description. */
  descriptionChars: 10_000,
  /** A custom module's source. */
  sourceChars: 1_000_000,
  /** One parameter value as JSON. */
  paramValueBytes: 64 * KB,
  /** Parameters of one node. */
  paramCount: 200,
} as const;

/** "1.5 MB" */
function size(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.ceil(bytes / KB)} KB`;
}

/** The message for a request past {@link LIMITS.requestBytes}. */
export function requestTooLarge(bytes: number): string {
  return `The request is too large (${size(bytes)}; at most ${size(LIMITS.requestBytes)}): nothing was changed`;
}

/** A text of at most `max` characters, saying so when longer. */
export function boundedText(max: number) {
  return z.string().max(max, `at most ${max} characters`);
}

/** Node parameters: named keys, bounded in number and in the size of each value. */
export const ParamsRecordSchema = z
  .record(boundedText(LIMITS.nameChars), z.unknown())
  .refine((params) => Object.keys(params).length <= LIMITS.paramCount, {
    message: `at most ${LIMITS.paramCount} parameters`,
  })
  .superRefine((params, ctx) => {
    for (const [key, value] of Object.entries(params)) {
      const bytes = (JSON.stringify(value) ?? '').length;
      if (bytes > LIMITS.paramValueBytes)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `a parameter value may be at most ${size(LIMITS.paramValueBytes)} (this one is ${size(bytes)})`,
        });
    }
  });
