import { mkdtemp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage } from '../../data/readers';
import { UsageError } from '../command';
import { sourceHashOf } from '../../custom/compile';
import { saveCustomModuleRecord } from '../../custom/records';
import { TrustList } from '../../custom/trust-list';
import { ProjectStore } from '../../store';
import { captureIo } from '../../test-support/cli-io';
import { parseProcessArgs, processCommand } from './process';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phi-process-'));
  await mkdir(join(dir, 'in', 'sub'), { recursive: true });
  // A 16-bit gradient 4 x 8 (values up to 31 * 1000, far above 8 bits) and an 8-bit RGB image.
  const g16 = new Uint16Array(32).map((_, i) => i * 1000);
  await sharp(g16, { raw: { width: 8, height: 4, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toFile(join(dir, 'in', 'a.png'));
  const rgb = new Uint8Array(4 * 4 * 3).map((_, i) => (i * 7) % 256);
  await sharp(rgb, { raw: { width: 4, height: 4, channels: 3 } })
    .png()
    .toFile(join(dir, 'in', 'sub', 'b.png'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('phi process', () => {
  it('parses a chain: each --param belongs to the module before it', () => {
    const a = parseProcessArgs([
      '--module',
      'resize',
      '--param',
      'width=4',
      '--param',
      'height=2',
      '-m',
      'flip',
      '-p',
      'axis=vertical',
      'x',
      'y',
    ]);
    expect(a.steps).toEqual([
      { module: 'resize', params: { width: 4, height: 2 } },
      { module: 'flip', params: { axis: 'vertical' } },
    ]);
    expect(() => parseProcessArgs(['--param', 'a=1', 'x', 'y'])).toThrow(UsageError);
  });
  it('refuses unknown modules and bad params (the engine checks them) as usage errors, writing nothing', async () => {
    const refused = (args: string[]) => processCommand.run([...args, 'in', 'refused'], captureIo(dir));
    await expect(refused(['--module', 'nope'])).rejects.toThrow(/Unknown module "nope"/);
    await expect(refused(['--module', 'resize', '--param', 'width=0'])).rejects.toThrow(
      /resize: parameter "width"/,
    );
    // A misspelt name is refused with the valid ones, not dropped by the schema.
    await expect(refused(['--module', 'resize', '--param', 'widht=64'])).rejects.toThrow(
      /resize has no parameter "widht"; its parameters are width, height, /,
    );
    await expect(refused(['--module', 'merge'])).rejects.toThrow(/needs 2 inputs/);
    await expect(refused(['--module', 'nope'])).rejects.toBeInstanceOf(UsageError);
    await expect(stat(join(dir, 'refused'))).rejects.toThrow(/ENOENT/);
  });
  it('processes a folder into 16-bit PNGs with the same stems and sub-folders', async () => {
    const io = captureIo(dir);
    const code = await processCommand.run(
      [
        '--module',
        'resize',
        '--param',
        'width=4',
        '--param',
        'height=2',
        '--param',
        'interpolation=area',
        '--module',
        'color-to-grayscale',
        'in',
        'out',
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain('2 written, 0 dropped, 0 failed');
    const a = await (await openImage(join(dir, 'out', 'a.png'))).decode();
    expect(a.shape).toEqual([2, 4, 1]);
    expect(a.data).toBeInstanceOf(Uint16Array);
    // 2x2 box means of i * 1000 over rows 0-1 and 2-3: (0 + 1 + 8 + 9) / 4 * 1000 = 4500, ...
    expect([...a.data]).toEqual([4500, 6500, 8500, 10500, 20500, 22500, 24500, 26500]);
    const b = await (await openImage(join(dir, 'out', 'sub', 'b.png'))).decode();
    expect(b.shape).toEqual([2, 4, 1]);
    expect(b.colorMode).toBe('grayscale');
  });
  it('writes float results as float32 .npy with the full shape', async () => {
    const code = await processCommand.run(
      ['--module', 'min-max-normalization', 'in/a.png', 'npy'],
      captureIo(dir),
    );
    expect(code).toBe(0);
    const buf = await readFile(join(dir, 'npy', 'a.npy'));
    expect(buf.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const headerLen = buf.readUInt16LE(8);
    const header = buf.subarray(10, 10 + headerLen).toString('latin1');
    expect(header).toContain("'descr': '<f4'");
    expect(header).toContain("'shape': (4, 8, 1)");
    expect((10 + headerLen) % 64).toBe(0);
    const values = new Float32Array(
      buf.buffer.slice(buf.byteOffset + 10 + headerLen, buf.byteOffset + buf.length),
    );
    expect(values.length).toBe(32);
    expect(values[0]).toBe(0);
    expect(values[31]).toBe(1);
    expect(values[1]).toBeCloseTo(1 / 31, 6);
  });
  it('reports a file that cannot be written as PNG and exits 1', async () => {
    const io = captureIo(dir);
    const code = await processCommand.run(
      ['--module', 'z-score-normalization', 'in/a.png', 'bad', '--format', 'png'],
      io,
    );
    expect(code).toBe(1);
    expect(io.err()).toMatch(/a\.png: PNG holds 8- or 16-bit unsigned pixels but this image is float32/);
  });
  it('lists modules with their parameters', async () => {
    const io = captureIo(dir);
    await processCommand.run(['--list'], io);
    expect(io.out()).toMatch(/^resize\s+Geometry\s+width, height, interpolation/m);
  });

  it('runs the trusted custom modules of a project with --project, and names an untrusted one', async () => {
    const doubled = [
      'export default defineModule({',
      "  params: z.object({ k: z.number().default(2).describe('Factor') }),",
      '  run(data, params) {',
      '    const pixels = data.image.data;',
      '    for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i] * params.k;',
      '    return data;',
      '  },',
      '});',
    ].join('\n');
    const base = {
      title: 'T',
      category: 'My modules',
      modality: 'any',
      dims: '2d',
      description: '',
    } as const;
    const project = join(dir, 'custom.phiproj');
    const store = ProjectStore.create(project, { graph: { nodes: [], edges: [] } });
    saveCustomModuleRecord(store, { ...base, id: 'my-double', language: 'typescript', source: doubled });
    saveCustomModuleRecord(store, {
      ...base,
      id: 'my-stranger',
      language: 'typescript',
      source: `${doubled}\n`,
    });
    store.close();
    const previous = process.env.PHI_CONFIG_DIR;
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    try {
      new TrustList().trust([sourceHashOf(doubled)]);
      const io = captureIo(dir);
      const args = ['--project', 'custom.phiproj', '--module', 'my-double', '--param', 'k=2'];
      expect(await processCommand.run([...args, 'in/a.png', 'doubled'], io)).toBe(0);
      const out = await (await openImage(join(dir, 'doubled', 'a.png'))).decode();
      expect(Array.from(out.data)).toEqual(Array.from({ length: 32 }, (_, i) => i * 2000));

      const listed = captureIo(dir);
      await processCommand.run(['--list', '--project', 'custom.phiproj'], listed);
      expect(listed.out()).toMatch(/^my-double\s+My modules\s+k$/m);
      expect(listed.out()).toMatch(/not trusted on this computer: my-stranger/);

      await expect(
        processCommand.run(['--project', 'custom.phiproj', '--module', 'my-stranger', 'in/a.png', 'x'], io),
      ).rejects.toThrow(/custom code that is not trusted on this computer: "T"/);
    } finally {
      if (previous === undefined) delete process.env.PHI_CONFIG_DIR;
      else process.env.PHI_CONFIG_DIR = previous;
    }
  });
});
