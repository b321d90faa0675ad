/**
 * The Parameter tab's fields come from `z.toJSONSchema` of real zod param
 * declarations (the same call the engine registry makes), and its inline
 * validation refuses exactly what the zod schema refuses.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  boundsText,
  fieldsOf,
  formatFieldValue,
  labelOf,
  parseField,
  withDefaults,
  type ParamField,
} from './param-form';

const params = z.object({
  width: z.number().int().min(1).max(4096).default(256).describe('Output width in pixels'),
  gamma: z.number().gt(0).lte(5).default(1).describe('Gamma exponent (unitless)'),
  interpolation: z
    .enum(['nearest', 'bilinear', 'area'])
    .default('bilinear')
    .describe('How pixels are resampled'),
  keepAspect: z.boolean().default(false).describe('Pad instead of stretching'),
  kernel: z
    .array(z.number().int().min(1).max(31))
    .length(2)
    .default([3, 3])
    .describe('Kernel size [h, w] in pixels'),
  name: z.string().max(8).optional().describe('Free text'),
  clip: z.number().min(0).max(1).nullable().default(null).describe('Clip limit, none when empty'),
});
const schema = z.toJSONSchema(params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
const fields = fieldsOf(schema);
const field = (name: string): ParamField => fields.find((f) => f.name === name)!;

describe('fieldsOf', () => {
  it('keeps declaration order and maps each zod type to its control', () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['width', 'number'],
      ['gamma', 'number'],
      ['interpolation', 'enum'],
      ['keepAspect', 'boolean'],
      ['kernel', 'number-list'],
      ['name', 'text'],
      ['clip', 'number'],
    ]);
  });

  it('carries bounds, defaults and descriptions (the tooltips)', () => {
    expect(field('width')).toMatchObject({
      integer: true,
      minimum: 1,
      maximum: 4096,
      default: 256,
      step: 1,
      description: 'Output width in pixels',
    });
    expect(field('gamma')).toMatchObject({ integer: false, exclusiveMinimum: 0, maximum: 5 });
    expect(field('interpolation')).toMatchObject({
      options: ['nearest', 'bilinear', 'area'],
      default: 'bilinear',
    });
    expect(field('kernel')).toMatchObject({
      minItems: 2,
      maxItems: 2,
      item: { integer: true, minimum: 1, maximum: 31 },
    });
    expect(field('clip')).toMatchObject({
      minimum: 0,
      maximum: 1,
      description: 'Clip limit, none when empty',
    });
    expect(field('width').label).toBe('Width');
    expect(labelOf('keepAspectRatio')).toBe('Keep aspect ratio');
    expect(boundsText(field('width') as Extract<ParamField, { kind: 'number' }>)).toBe(
      '1 ≤ x ≤ 4096, integer',
    );
    expect(boundsText(field('gamma') as Extract<ParamField, { kind: 'number' }>)).toBe('0 < x ≤ 5');
  });
});

describe('parseField refuses what zod refuses', () => {
  const probes: [string, string | boolean][] = [
    ['width', '256'],
    ['width', '0'],
    ['width', '4097'],
    ['width', '12.5'],
    ['width', 'abc'],
    ['gamma', '0'],
    ['gamma', '0.001'],
    ['gamma', '5'],
    ['gamma', '5.01'],
    ['interpolation', 'area'],
    ['interpolation', 'cubic'],
    ['keepAspect', true],
    ['kernel', '3, 5'],
    ['kernel', '3'],
    ['kernel', '3 5 7'],
    ['kernel', '3, 32'],
    ['name', 'short'],
    ['name', 'far too long'],
  ];
  it.each(probes)('%s = %s', (name, input) => {
    const parsed = parseField(field(name), input);
    const zodOk = params.shape[name as keyof typeof params.shape].safeParse(
      parsed.ok ? parsed.value : input,
    ).success;
    expect(parsed.ok).toBe(zodOk);
  });

  it('says why a value is refused', () => {
    expect(parseField(field('width'), '5000')).toEqual({ ok: false, error: 'Must be at most 4096' });
    expect(parseField(field('width'), '0')).toEqual({ ok: false, error: 'Must be at least 1' });
    expect(parseField(field('width'), '1.5')).toEqual({ ok: false, error: 'Must be a whole number' });
    expect(parseField(field('gamma'), '0')).toEqual({ ok: false, error: 'Must be more than 0' });
    expect(parseField(field('kernel'), '3, 40')).toEqual({ ok: false, error: '40: must be at most 31' });
  });

  it('formats values back and fills defaults', () => {
    expect(formatFieldValue(field('kernel'), [3, 5])).toBe('3, 5');
    expect(withDefaults(fields, { width: 64 })).toMatchObject({
      width: 64,
      gamma: 1,
      interpolation: 'bilinear',
      keepAspect: false,
      kernel: [3, 3],
    });
  });
});
