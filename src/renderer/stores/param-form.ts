/**
 * The Parameter tab's fields, generated from a node type's params JSON
 * Schema (made by `z.toJSONSchema` from the zod declaration): numbers with
 * bounds, enums as selects, booleans as switches, `description` as the
 * tooltip. Validation here refuses what the engine's zod schema would refuse.
 */
import type { ParamJsonSchema, Task, TaskOptions } from '../../engine/api';

/** One form field. */
export type ParamField =
  | NumberField
  | {
      kind: 'boolean';
      name: string;
      label: string;
      description?: string;
      default?: boolean;
      required: boolean;
    }
  | {
      kind: 'enum';
      name: string;
      label: string;
      description?: string;
      options: (string | number)[];
      default?: string | number;
      required: boolean;
    }
  | {
      kind: 'text';
      name: string;
      label: string;
      description?: string;
      default?: string;
      minLength?: number;
      maxLength?: number;
      required: boolean;
    }
  | {
      kind: 'number-list';
      name: string;
      label: string;
      description?: string;
      default?: number[];
      minItems?: number;
      maxItems?: number;
      item: NumberBounds;
      required: boolean;
    }
  | { kind: 'json'; name: string; label: string; description?: string; default?: unknown; required: boolean };

/** Bounds of a number (JSON Schema keywords). */
export interface NumberBounds {
  integer: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** A number or integer field. */
export interface NumberField extends NumberBounds {
  kind: 'number';
  name: string;
  label: string;
  description?: string;
  default?: number;
  /** Input step: 1 for integers, else derived from the bounds. */
  step: number;
  required: boolean;
}

type Schema = Record<string, unknown>;

/** `kernelSize` -> `Kernel size`: readable labels from param names. */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Strips a `nullable`/`optional` wrapper (`anyOf: [X, {type: null}]`) to X. */
function unwrap(schema: Schema): Schema {
  const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(options)) {
    const real = options.filter((s) => s.type !== 'null');
    if (real.length === 1)
      return {
        ...real[0],
        description: schema.description ?? real[0].description,
        default: schema.default ?? real[0].default,
      };
  }
  return schema;
}

function numberBounds(schema: Schema): NumberBounds {
  const num = (key: string): number | undefined =>
    typeof schema[key] === 'number' ? (schema[key] as number) : undefined;
  return {
    integer: schema.type === 'integer',
    minimum: num('minimum'),
    maximum: num('maximum'),
    exclusiveMinimum: num('exclusiveMinimum'),
    exclusiveMaximum: num('exclusiveMaximum'),
  };
}

/**
 * The fields with only the choices that fit the task in `values.task`: enum
 * options narrowed by the node type's task options (declared once in the
 * engine, `src/engine/nn/task-options.ts`). A value in `values` that does not
 * fit stays listed, so the form shows what the project holds (the node's
 * problem says why); pass only `{ task }` to leave such values out.
 */
export function fieldsForTask(
  fields: ParamField[],
  options: TaskOptions | undefined,
  values: Record<string, unknown>,
): ParamField[] {
  const task = values.task as Task | undefined;
  if (!options || !task) return fields;
  return fields.map((field) => {
    const fits = options.choices[field.name]?.[task];
    if (field.kind !== 'enum' || !fits) return field;
    const held = values[field.name];
    return {
      ...field,
      options: field.options.filter((o) => fits.includes(o) || o === held),
    };
  });
}

/** The metrics a tuning search of a node of this task may optimise (from the engine's task options). */
export function tuningMetricsFor(options: TaskOptions | undefined, task: unknown): string[] {
  return options?.metrics[task as Task] ?? [];
}

/** The fields of a params schema, in declaration order. */
export function fieldsOf(params: ParamJsonSchema): ParamField[] {
  const properties = (params.properties ?? {}) as Record<string, Schema>;
  const required = new Set((params.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, raw]) => {
    const schema = unwrap(raw);
    const base = {
      name,
      label: typeof schema.title === 'string' ? schema.title : labelOf(name),
      description: typeof schema.description === 'string' ? schema.description : undefined,
      required: required.has(name) && schema.default === undefined,
    };
    if (Array.isArray(schema.enum)) {
      return {
        ...base,
        kind: 'enum',
        options: schema.enum as (string | number)[],
        default: schema.default as string | number | undefined,
      };
    }
    if (schema.const !== undefined) {
      return {
        ...base,
        kind: 'enum',
        options: [schema.const as string | number],
        default: schema.const as string | number,
      };
    }
    switch (schema.type) {
      case 'number':
      case 'integer': {
        const bounds = numberBounds(schema);
        const lo = bounds.minimum ?? bounds.exclusiveMinimum;
        const hi = bounds.maximum ?? bounds.exclusiveMaximum;
        const step = bounds.integer ? 1 : lo !== undefined && hi !== undefined && hi - lo <= 2 ? 0.01 : 0.1;
        return { ...base, kind: 'number', ...bounds, step, default: schema.default as number | undefined };
      }
      case 'boolean':
        return { ...base, kind: 'boolean', default: schema.default as boolean | undefined };
      case 'string':
        return {
          ...base,
          kind: 'text',
          default: schema.default as string | undefined,
          minLength: schema.minLength as number | undefined,
          maxLength: schema.maxLength as number | undefined,
        };
      case 'array': {
        const items = unwrap((schema.items ?? {}) as Schema);
        if (items.type === 'number' || items.type === 'integer') {
          return {
            ...base,
            kind: 'number-list',
            item: numberBounds(items),
            default: schema.default as number[] | undefined,
            minItems: schema.minItems as number | undefined,
            maxItems: schema.maxItems as number | undefined,
          };
        }
        return { ...base, kind: 'json', default: schema.default };
      }
      default:
        return { ...base, kind: 'json', default: schema.default };
    }
  });
}

/** Human text of a number field's bounds, e.g. `1 ≤ x ≤ 4096, integer`. */
export function boundsText(bounds: NumberBounds): string {
  const parts: string[] = [];
  const lo =
    bounds.minimum !== undefined
      ? `${bounds.minimum} ≤ `
      : bounds.exclusiveMinimum !== undefined
        ? `${bounds.exclusiveMinimum} < `
        : '';
  const hi =
    bounds.maximum !== undefined
      ? ` ≤ ${bounds.maximum}`
      : bounds.exclusiveMaximum !== undefined
        ? ` < ${bounds.exclusiveMaximum}`
        : '';
  if (lo || hi) parts.push(`${lo}x${hi}`);
  if (bounds.integer) parts.push('integer');
  return parts.join(', ');
}

/** Checks one number against bounds; returns the reason it is refused, or null. */
export function checkNumber(value: number, bounds: NumberBounds): string | null {
  if (!Number.isFinite(value)) return 'Enter a number';
  if (bounds.integer && !Number.isInteger(value)) return 'Must be a whole number';
  if (bounds.minimum !== undefined && value < bounds.minimum) return `Must be at least ${bounds.minimum}`;
  if (bounds.maximum !== undefined && value > bounds.maximum) return `Must be at most ${bounds.maximum}`;
  if (bounds.exclusiveMinimum !== undefined && value <= bounds.exclusiveMinimum)
    return `Must be more than ${bounds.exclusiveMinimum}`;
  if (bounds.exclusiveMaximum !== undefined && value >= bounds.exclusiveMaximum)
    return `Must be less than ${bounds.exclusiveMaximum}`;
  return null;
}

/** Result of parsing what the user typed into a field. */
export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses and validates the text typed into a field (selects and switches give typed values). */
export function parseField(field: ParamField, input: string | boolean): ParseResult {
  switch (field.kind) {
    case 'boolean':
      return { ok: true, value: Boolean(input) };
    case 'enum': {
      const match = field.options.find((o) => String(o) === String(input));
      return match === undefined
        ? { ok: false, error: `Choose one of ${field.options.join(', ')}` }
        : { ok: true, value: match };
    }
    case 'number': {
      const text = String(input).trim();
      if (text === '')
        return field.required ? { ok: false, error: 'Required' } : { ok: true, value: undefined };
      const value = Number(text);
      const error = checkNumber(value, field);
      return error ? { ok: false, error } : { ok: true, value };
    }
    case 'text': {
      const text = String(input);
      if (field.minLength !== undefined && text.length < field.minLength)
        return { ok: false, error: `At least ${field.minLength} characters` };
      if (field.maxLength !== undefined && text.length > field.maxLength)
        return { ok: false, error: `At most ${field.maxLength} characters` };
      return { ok: true, value: text };
    }
    case 'number-list': {
      const parts = String(input)
        .split(/[\s,]+/)
        .filter((p) => p !== '');
      if (field.minItems !== undefined && parts.length < field.minItems)
        return { ok: false, error: `Enter at least ${field.minItems} numbers` };
      if (field.maxItems !== undefined && parts.length > field.maxItems)
        return { ok: false, error: `Enter at most ${field.maxItems} numbers` };
      const values = parts.map(Number);
      for (const value of values) {
        const error = checkNumber(value, field.item);
        if (error) return { ok: false, error: `${value}: ${error.toLowerCase()}` };
      }
      return { ok: true, value: values };
    }
    case 'json': {
      try {
        return { ok: true, value: JSON.parse(String(input)) };
      } catch {
        return { ok: false, error: 'Not valid JSON' };
      }
    }
  }
}

/** The text a field shows for a value. */
export function formatFieldValue(field: ParamField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'number-list' && Array.isArray(value)) return value.join(', ');
  if (field.kind === 'json') return JSON.stringify(value);
  return String(value);
}

/** Current params with declared defaults filled in, for display. */
export function withDefaults(fields: ParamField[], params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields)
    out[field.name] = params[field.name] !== undefined ? params[field.name] : field.default;
  for (const [key, value] of Object.entries(params)) if (!(key in out)) out[key] = value;
  return out;
}
