import sharp from 'sharp';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { describeNodeType } from '../graph/registry';
import { compileCustomModule, type CustomModuleNodeType } from './compile';
import { customModuleTemplate, customModuleTypings } from './template';

const info = {
  id: 'my-hu-window',
  title: 'HU window',
  category: 'My modules',
  modality: 'CT',
  dims: '2d' as const,
  description: 'Windows CT Hounsfield Units to [0, 1].\nSoft tissue by default.',
  language: 'typescript' as const,
};

const disposers: CustomModuleNodeType[] = [];
afterAll(async () => {
  await Promise.all(disposers.map((t) => t.dispose()));
});

/** A grayscale PNG written and decoded by sharp: the pixels a dataset reader would yield. */
async function pngSample(): Promise<Sample> {
  const width = 5;
  const height = 4;
  const pixels = Buffer.from(Array.from({ length: width * height }, (_, i) => (i * 13) % 256));
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  const { data, info: raw } = await sharp(png)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    id: 'images/a.png',
    split: 'train',
    image: {
      data: new Uint8Array(data),
      shape: [raw.height, raw.width, raw.channels],
      colorMode: 'grayscale',
      modality: 'photo',
      unit: 'raw',
    },
    label: { kind: 'class', index: 1 },
    meta: { file: 'images/a.png', size: [raw.width, raw.height] },
  };
}

const libFiles = new Map<string, ts.SourceFile | undefined>();

/** Type-checks a module source against the editor typings with the TypeScript compiler. */
function typeErrors(source: string): string[] {
  const files: Record<string, string> = { '/module.ts': source, '/phi.d.ts': customModuleTypings() };
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files[name] ?? readFile(name);
  host.fileExists = (name) => name in files || ts.sys.fileExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) => {
    if (name in files) return ts.createSourceFile(name, files[name], version);
    // The lib files are parsed once for all checks (seconds otherwise).
    if (!libFiles.has(name)) libFiles.set(name, getSourceFile(name, version));
    return libFiles.get(name);
  };
  const program = ts.createProgram(['/module.ts', '/phi.d.ts'], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('customModuleTemplate', () => {
  const source = customModuleTemplate(info);

  it('fills in the wizard answers and marks the body to write', () => {
    expect(source).toContain('// HU window: a custom image-processing module of Phi Studio');
    expect(source).toContain('Modality: CT · Data: 2-D images');
    expect(source).toContain('// Windows CT Hounsfield Units to [0, 1].\n// Soft tissue by default.');
    expect(source).toContain('[height, width, channels]');
    expect(source).toContain('Write your processing here');
    expect(source).toContain('not 0-255');
    expect(source).not.toMatch(/\{\{\w+\}\}/);
    expect(customModuleTemplate({ ...info, dims: '3d' })).toContain('[depth, height, width, channels]');
  });

  it('keeps a description that tries to end the comment inside comments', () => {
    const tricky = customModuleTemplate({ ...info, title: 'A\nB', description: 'x */ y\u2028throw 1' });
    expect(tricky).toContain('// A B: a custom');
    expect(tricky).toContain('// x */ y\n// throw 1');
  });

  it('compiles and runs as-is: the identity on a real sample', async () => {
    const result = await compileCustomModule({ ...info, source });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    disposers.push(result.nodeType);
    const type = result.nodeType;
    expect(type).toMatchObject({ kind: 'module', origin: 'my', id: 'my-hu-window', version: 1 });
    expect(describeNodeType(type)).toMatchObject({ origin: 'my', accepts: { dims: [2] }, inputs: ['in'] });
    const input = await pngSample();
    const before = Uint8Array.from(input.image.data);
    const output = await type.run(input, type.params.parse({}), {
      nodeId: 'n1',
      rng: () => 0.25,
      inputs: {},
    });
    expect(output).toEqual({ ...input, image: { ...input.image, data: before } });
    expect(output?.image.data).toBeInstanceOf(Uint8Array);
    // The engine's own sample is untouched (it was copied into the sandbox, not moved).
    expect(input.image.data).toEqual(before);
  });

  it('type-checks against the editor typings, and the typings catch mistakes', () => {
    expect(typeErrors(source)).toEqual([]);
    const windowed = source.replace(/\/\/ (center|width): z/g, '$1: z').replace(/^ {4}\/\/ {3}/gm, '    ');
    expect(windowed).toContain("image.unit = 'normalized';\n");
    expect(typeErrors(windowed)).toEqual([]);
    expect(typeErrors(windowed.replace('image.unit = ', 'image.units = ')).join()).toMatch(/units/);
    expect(typeErrors(windowed.replace('params.width', 'params.widht')).join()).toMatch(/widht/);
  });
});
