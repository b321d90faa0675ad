/**
 * The search space of a tuning request, checked against the network's zod
 * params schema: every ticked parameter becomes one gene (a list of choices or
 * a numeric range). Anything the schema would refuse is refused here, before a
 * single trial runs, with a message naming the parameter.
 */
import { z } from 'zod';
import type { SearchDimension } from '../api';
import { stableStringify } from '../run/keys';

/** One searched parameter: a list of allowed values, or a numeric interval. */
export type Gene =
  | { kind: 'choice'; param: string; values: readonly unknown[] }
  | {
      kind: 'range';
      param: string;
      /** Inclusive bounds, already rounded inward for integers. */
      min: number;
      max: number;
      /** Sample and mutate in log10 space (learning rates). */
      log: boolean;
      integer: boolean;
    };

/** A search request the network cannot take; the message names the parameter. */
export class SearchSpaceError extends Error {}

/** The schema of one field with defaults, optionals and nullables peeled off. */
function bareField(field: z.ZodType): z.ZodType {
  let current = field;
  for (;;) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as z.ZodType;
    } else {
      return current;
    }
  }
}

/** All values of a finite field (enum, boolean, literal), or undefined for others. */
function allChoices(bare: z.ZodType): unknown[] | undefined {
  if (bare instanceof z.ZodEnum) return [...bare.options];
  if (bare instanceof z.ZodBoolean) return [false, true];
  if (bare instanceof z.ZodLiteral) return [...bare.values];
  return undefined;
}

/** The first zod message for `value`, or undefined when the field accepts it. */
function refusal(field: z.ZodType, value: unknown): string | undefined {
  const result = field.safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'not allowed');
}

/** "0 (exclusive) to 10" from a number schema's own bounds, for messages. */
function describeBounds(field: z.ZodType, bare: z.ZodNumber): string {
  const min = bare.minValue;
  const max = bare.maxValue;
  const side = (value: number | null, fallback: string): string => {
    if (value === null || !Number.isFinite(value)) return fallback;
    return refusal(field, value) === undefined ? String(value) : `${value} (exclusive)`;
  };
  return `${side(min, 'any')} to ${side(max, 'any')}`;
}

function choiceGene(param: string, field: z.ZodType, bare: z.ZodType, values: unknown[] | undefined): Gene {
  const listed = values ?? allChoices(bare);
  if (listed === undefined) {
    throw new SearchSpaceError(
      `Search of "${param}" needs a list of values or a min..max range: it has no fixed set of choices`,
    );
  }
  if (listed.length === 0) throw new SearchSpaceError(`Search of "${param}" lists no values`);
  const unique = new Map<string, unknown>();
  listed.forEach((value, index) => {
    const why = refusal(field, value);
    if (why !== undefined) {
      throw new SearchSpaceError(
        `Value ${index + 1} (${JSON.stringify(value)}) of "${param}" is not allowed by the network: ${why}`,
      );
    }
    unique.set(stableStringify(value), value);
  });
  return { kind: 'choice', param, values: [...unique.values()] };
}

function rangeGene(param: string, field: z.ZodType, bare: z.ZodType, dim: SearchDimension): Gene {
  if (!(bare instanceof z.ZodNumber)) {
    throw new SearchSpaceError(`"${param}" is not a number: search it with a list of values, not a range`);
  }
  const { min, max } = dim;
  if (min === undefined || max === undefined || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new SearchSpaceError(`The range of "${param}" needs both a finite min and a finite max`);
  }
  if (min >= max) {
    throw new SearchSpaceError(`The range of "${param}" is empty: min ${min} must be below max ${max}`);
  }
  const log = dim.log ?? false;
  if (log && min <= 0) {
    throw new SearchSpaceError(`The log-scale range of "${param}" must start above 0, not at ${min}`);
  }
  // An integer field stays integer whatever the request says: the schema would refuse fractions.
  const integer = (dim.integer ?? false) || bare.isInt === true;
  const lo = integer ? Math.ceil(min) : min;
  const hi = integer ? Math.floor(max) : max;
  if (lo > hi) {
    throw new SearchSpaceError(`The range of "${param}" ${min}..${max} holds no whole number`);
  }
  for (const end of [lo, hi]) {
    if (refusal(field, end) !== undefined) {
      throw new SearchSpaceError(
        `The range of "${param}" ${min}..${max} is outside what the network allows (${describeBounds(field, bare)})`,
      );
    }
  }
  return { kind: 'range', param, min: lo, max: hi, log, integer };
}

/**
 * One gene per search dimension, in request order. Throws a
 * {@link SearchSpaceError} for a parameter the schema lacks, a parameter named
 * twice, a choice the schema refuses, or a range outside the schema's bounds.
 */
export function resolveSearchSpace(
  search: readonly SearchDimension[],
  params: z.ZodObject,
  networkTitle: string,
): Gene[] {
  const shape = params.shape as Record<string, z.ZodType>;
  const seen = new Set<string>();
  return search.map((dim) => {
    const field = Object.hasOwn(shape, dim.param) ? shape[dim.param] : undefined;
    if (field === undefined) {
      throw new SearchSpaceError(
        `${networkTitle} has no parameter "${dim.param}" to search (it has: ${Object.keys(shape).join(', ')})`,
      );
    }
    if (seen.has(dim.param)) throw new SearchSpaceError(`"${dim.param}" is searched twice: name it once`);
    seen.add(dim.param);
    const bare = bareField(field);
    const hasRange = dim.min !== undefined || dim.max !== undefined;
    if (hasRange && dim.values !== undefined) {
      throw new SearchSpaceError(`Search of "${dim.param}" gives both values and a range: give one of them`);
    }
    return hasRange ? rangeGene(dim.param, field, bare, dim) : choiceGene(dim.param, field, bare, dim.values);
  });
}

/** Number of distinct genomes, or Infinity when a continuous range is searched. */
export function spaceSize(genes: readonly Gene[]): number {
  return genes.reduce((size, gene) => {
    if (gene.kind === 'choice') return size * gene.values.length;
    return gene.integer ? size * (gene.max - gene.min + 1) : Infinity;
  }, 1);
}
