import { afterAll, describe, expect, it } from 'vitest';
import type { CustomModuleInfo, Sample } from '../api';
import type { ModuleContext } from '../graph/node-type';
import { describeNodeType } from '../graph/registry';
import { compileCustomModule, type CompileResult, type CustomModuleNodeType } from './compile';

const made: CustomModuleNodeType[] = [];
afterAll(async () => {
  await Promise.all(made.map((t) => t.dispose()));
});

function info(source: string, over: Partial<CustomModuleInfo> = {}): CustomModuleInfo {
  return {
    id: 'my-test',
    title: 'Test module',
    category: 'My modules',
    modality: 'CT',
    dims: '2d',
    description: 'A module of the tests',
    language: 'typescript',
    source,
    ...over,
  };
}

async function compiled(source: string, over: Partial<CustomModuleInfo> = {}): Promise<CustomModuleNodeType> {
  const result = await compileCustomModule(info(source, over), { version: 4 });
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  made.push(result.nodeType);
  return result.nodeType;
}

async function problems(source: string, over: Partial<CustomModuleInfo> = {}) {
  const result: CompileResult = await compileCustomModule(info(source, over));
  if (result.ok) {
    made.push(result.nodeType);
    throw new Error('expected problems');
  }
  return result.problems;
}

const ctx = (over: Partial<ModuleContext> = {}): ModuleContext => ({
  nodeId: 'node-1',
  rng: () => 0.5,
  inputs: {},
  ...over,
});

/** A 2x4 CT slice in Hounsfield Units. */
function ctSample(): Sample {
  return {
    id: 'ct/slice-001.dcm',
    split: 'validation',
    image: {
      data: new Int16Array([-1000, -160, 40, 240, 3000, 0, -100, 100]),
      shape: [2, 4, 1],
      colorMode: 'grayscale',
      modality: 'CT',
      spacing: [0.7, 0.7],
      unit: 'HU',
    },
    label: {
      kind: 'mask',
      mask: { data: new Uint8Array(8).fill(1), shape: [2, 4, 1], colorMode: 'grayscale' },
    },
    meta: { SeriesDescription: 'chest' },
  };
}

const HU_WINDOW = `
export default defineModule({
  params: z.object({
    center: z.number().default(40).describe('Window centre in HU'),
    width: z.number().min(1).max(4000).default(400).describe('Window width in HU'),
  }),
  run(data, params) {
    const pixels = data.image.data;
    const low = params.center - params.width / 2;
    const out = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) {
      out[i] = Math.min(1, Math.max(0, (pixels[i] - low) / params.width));
    }
    data.image.data = out;
    data.image.unit = 'normalized';
    data.meta.window = [params.center, params.width];
    return data;
  },
});
`;

describe('compileCustomModule', () => {
  it('windows Hounsfield Units to [0, 1] with the exact expected values', async () => {
    const type = await compiled(HU_WINDOW);
    const input = ctSample();
    const out = await type.run(input, type.params.parse({}), ctx());
    // By hand: low = 40 - 400/2 = -160; (v + 160) / 400 clamped to [0, 1], rounded to float32.
    const expected = [0, 0, 0.5, 1, 1, 0.4, 0.15, 0.65].map(Math.fround);
    expect(out?.image.data).toBeInstanceOf(Float32Array);
    expect([...(out?.image.data ?? [])]).toEqual(expected);
    expect(out).toMatchObject({
      id: 'ct/slice-001.dcm',
      split: 'validation',
      image: {
        shape: [2, 4, 1],
        colorMode: 'grayscale',
        unit: 'normalized',
        spacing: [0.7, 0.7],
        modality: 'CT',
      },
      label: { kind: 'mask' },
      meta: { SeriesDescription: 'chest', window: [40, 400] },
    });
    // A bone window from the Parameter tab: low = 300 - 750 = -450, width 1500.
    const bone = await type.run(ctSample(), type.params.parse({ center: 300, width: 1500 }), ctx());
    expect([...(bone?.image.data ?? [])]).toEqual(
      [0, 290 / 1500, 490 / 1500, 690 / 1500, 1, 450 / 1500, 350 / 1500, 550 / 1500].map(Math.fround),
    );
  });

  it('makes a "My" module type whose params come from the declaration', async () => {
    const type = await compiled(HU_WINDOW);
    expect(type).toMatchObject({
      kind: 'module',
      origin: 'my',
      id: 'my-test',
      version: 4,
      title: 'Test module',
    });
    expect(type.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    const descriptor = describeNodeType(type);
    expect(descriptor).toMatchObject({ origin: 'my', category: 'My modules', accepts: { dims: [2] } });
    expect(descriptor.params).toMatchObject({
      type: 'object',
      properties: {
        center: { type: 'number', default: 40, description: 'Window centre in HU' },
        width: { type: 'number', minimum: 1, maximum: 4000, default: 400, description: 'Window width in HU' },
      },
    });
    expect(type.params.safeParse({ width: 0 }).success).toBe(false);
  });

  it('reads accepts, produces, int and enum params, and 3-D dims', async () => {
    const type = await compiled(
      `export default defineModule({
        params: z.object({
          radius: z.int().min(1).max(9).default(2).describe('Radius in pixels'),
          mode: z.enum(['mean', 'max']).default('max').describe('How to combine'),
          keep: z.boolean().default(false).describe('Keep the original'),
        }),
        accepts: { colorModes: ['rgb'] },
        produces: { colorMode: 'grayscale' },
        run(data) { return data; },
      });`,
      { dims: '3d' },
    );
    expect(type.accepts).toEqual({ dims: [3], colorModes: ['rgb'] });
    expect(type.produces?.({ colorMode: 'rgb', dims: 3 }, type.params.parse({}))).toEqual({
      colorMode: 'grayscale',
      dims: 3,
    });
    expect(type.params.parse({})).toEqual({ radius: 2, mode: 'max', keep: false });
    expect(type.params.safeParse({ radius: 1.5 }).success).toBe(false);
    expect(type.params.safeParse({ mode: 'min' }).success).toBe(false);
  });

  it('reports a syntax error at the line and column of the user source', async () => {
    const source = [
      'export default defineModule({',
      '  run(data) {',
      '    const x = ;',
      '    return data;',
      '  },',
      '});',
    ];
    const found = await problems(source.join('\n'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: 3, column: 15 });
    expect(found[0].message).toMatch(/Unexpected ";"/);
  });

  it('reports bad declarations with the line of the call', async () => {
    const noDefault = await problems(
      'export default defineModule({\n  params: z.object({ level: z.number() }),\n  run(d) { return d; },\n});',
    );
    expect(noDefault[0].message).toMatch(/Parameter "level" needs \.default\(value\)/);
    const unknownKey = await problems('\n\nexport default defineModule({ run(d) { return d; }, rn: 1 });');
    expect(unknownKey[0]).toMatchObject({ line: 3 });
    expect(unknownKey[0].message).toMatch(/does not know "rn"/);
    const badParam = await problems(
      'export default defineModule({\n  params: z.object({\n    level: z.number().min("low").default(1),\n  }),\n  run(d) { return d; },\n});',
    );
    expect(badParam[0]).toMatchObject({ line: 3 });
    expect(badParam[0].message).toMatch(/\.min\(\) needs a finite number, got "low"/);
    const badDefault = await problems(
      'export default defineModule({ params: z.object({ w: z.number().min(1).default(0) }), run(d) { return d; } });',
    );
    expect(badDefault[0].message).toMatch(/Parameter "w": the default 0/);
    const none = await problems('const x = 1;');
    expect(none[0].message).toMatch(/never calls defineModule/);
    const twice = await problems(
      'defineModule({ run(d) { return d; } });\ndefineModule({ run(d) { return d; } });',
    );
    expect(twice[0]).toMatchObject({ line: 2 });
    expect(twice[0].message).toMatch(/called twice/);
  });

  it('reports an import as unavailable, at its line', async () => {
    const found = await problems(
      "\nimport fs from 'fs';\nexport default defineModule({ run(d) { fs.readFileSync('x'); return d; } });",
    );
    expect(found[0].message).toMatch(/require is not defined: custom modules cannot import modules/);
    expect(found[0].line).toBe(2);
  });

  it('reports an invalid module info as a problem outside the source (line 0)', async () => {
    const badId = await problems('defineModule({ run(d) { return d; } })', { id: 'Hu Window' });
    expect(badId[0]).toMatchObject({ line: 0, column: 0 });
    expect(badId[0].message).toMatch(/^id: ids of custom modules/);
  });

  it('compiles Python with the interpreter, not esbuild (python/python.test.ts covers the rest)', async () => {
    const python = await problems('def run(data):\n    return data[\n', { language: 'python' });
    expect(python[0]).toMatchObject({ line: 2, message: expect.stringMatching(/^SyntaxError: /) });
  });

  it('names the module, the sample, the message and the line when run() throws', async () => {
    const type = await compiled(
      [
        'export default defineModule({',
        '  run(data) {',
        "    if (data.image.unit === 'HU') {",
        "      throw new Error('expected a normalized image, got HU');",
        '    }',
        '    return data;',
        '  },',
        '});',
      ].join('\n'),
    );
    await expect(type.run(ctSample(), {}, ctx())).rejects.toThrow(
      'Custom module "Test module" (my-test) failed on sample "ct/slice-001.dcm": expected a normalized image, got HU (line 4, column 13)',
    );
    const typeError = await compiled(
      'export default defineModule({\n  run(data) {\n    return (data as any).nope.deeper;\n  },\n});',
    );
    await expect(typeError.run(ctSample(), {}, ctx())).rejects.toThrow(
      /TypeError: Cannot read properties of undefined \(reading 'deeper'\) \(line 3/,
    );
  });

  it('refuses a returned value that is not a valid sample, saying what is wrong', async () => {
    const cases: [string, RegExp][] = [
      [
        'data.image.shape = [3, 3, 1]; return data;',
        /data\.image\.shape \[3, 3, 1\] holds 9 values but data has 8/,
      ],
      [
        'data.image.data = new Float64Array(8); return data;',
        /Float32Array, Uint8Array, Uint16Array or Int16Array \(got Float64Array\)/,
      ],
      [
        'data.image.data = [1, 2, 3, 4, 5, 6, 7, 8] as any; return data;',
        /data\.image\.data must be a Float32Array/,
      ],
      [
        'data.image.shape = [4, 2, 1]; data.image.data = new Float32Array(8); (data.label as any).mask.shape = [2, 4, 1]; return data;',
        /the returned mask is 2x4 but the image is 4x2/,
      ],
      [
        'data.image.colorMode = "rgb"; return data;',
        /colorMode is "rgb" but the last axis of shape \(channels\) is 1/,
      ],
      ['data.image = undefined as any; return data;', /data\.image/],
      ['return undefined as any;', /run\(\) returned nothing: end it with `return data;`/],
      ['return Promise.resolve(data) as any;', /run\(\) returned a Promise/],
    ];
    for (const [body, message] of cases) {
      const type = await compiled(`export default defineModule({ run(data) { ${body} } });`);
      await expect(type.run(ctSample(), {}, ctx()), body).rejects.toThrow(message);
      await type.dispose();
    }
  });

  it('drops a sample when run() returns null, and keeps the input id and split', async () => {
    const type = await compiled(
      "export default defineModule({ run(data) { if (data.meta.skip) return null; (data as any).id = 'x'; (data as any).split = 'train'; return data; } });",
    );
    expect(await type.run({ ...ctSample(), meta: { skip: true } }, {}, ctx())).toBeNull();
    expect(await type.run(ctSample(), {}, ctx())).toMatchObject({
      id: 'ct/slice-001.dcm',
      split: 'validation',
    });
  });

  it('runs concurrent samples one at a time in one worker, each getting its own result', async () => {
    const type = await compiled(
      'export default defineModule({ run(data) { const d = data.image.data; for (let i = 0; i < d.length; i++) d[i] = d[i] * 2; return data; } });',
    );
    const samples = Array.from({ length: 12 }, (_, k) => ({
      ...ctSample(),
      id: `s${k}`,
      image: { ...ctSample().image, data: new Int16Array(8).fill(k) },
    }));
    const outs = await Promise.all(samples.map((s) => type.run(s, {}, ctx())));
    expect(outs.map((o) => [o?.id, o?.image.data[7]])).toEqual(samples.map((s, k) => [s.id, 2 * k]));
  });

  it('gives ctx.rng and Math.random one reproducible stream per seed, and passes logs out', async () => {
    const logs: string[][] = [];
    const result = await compileCustomModule(
      info(
        "export default defineModule({ run(data, params, ctx) { data.meta.r = [ctx.rng(), Math.random()]; console.log('node', ctx.nodeId, ctx.split, data.image.data); return data; } });",
      ),
      { onLog: (_id, lines) => logs.push(lines) },
    );
    if (!result.ok) throw new Error('compile failed');
    made.push(result.nodeType);
    const run = (r: number) => result.nodeType.run(ctSample(), {}, ctx({ rng: () => r, split: 'train' }));
    const a = (await run(0.25))?.meta.r as number[];
    const b = (await run(0.25))?.meta.r as number[];
    const c = (await run(0.75))?.meta.r as number[];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[0]).not.toBe(a[1]);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(logs[0]).toEqual(['node node-1 train Int16Array(8)']);
  });
});
