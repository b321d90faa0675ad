import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dtypeOf } from '../../api';
import { scratchFolder, type ScratchFolder } from '../../test-support/scratch-folders';
import { openImage } from '.';
import { jpegPrecision } from './jpeg12';

const DIR = join(__dirname, '../../../../resources/fixtures/data/dicom');

interface Expected {
  shape: number[];
  dtype: string;
  unit: string;
  modality: string;
  values: number[];
  tolerance: number;
  spacing?: number[];
  kept?: Record<string, unknown>;
  error?: string;
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;
const files = Object.keys(expected).filter((name) => name.endsWith('.dcm') && !expected[name].error);

function maxAbsDiff(a: ArrayLike<number>, b: number[]): number {
  let max = 0;
  for (let i = 0; i < b.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('DICOM reader against pydicom/DCMTK/GDCM fixtures', () => {
  it.each(files)('%s decodes to the independently computed values', async (name) => {
    const e = expected[name];
    const opened = await openImage(join(DIR, name));
    expect(opened.header.format).toBe('dicom');
    expect(opened.header.shape).toEqual(e.shape);
    expect(opened.header.dtype).toBe(e.dtype);
    const image = await opened.decode();
    expect(image.shape).toEqual(e.shape);
    expect(dtypeOf(image.data)).toBe(e.dtype);
    expect(image.unit).toBe(e.unit);
    expect(image.modality).toBe(e.modality);
    expect(image.colorMode).toBe(e.shape[e.shape.length - 1] === 3 ? 'rgb' : 'grayscale');
    expect(image.data.length).toBe(e.values.length);
    expect(maxAbsDiff(image.data, e.values)).toBeLessThanOrEqual(e.tolerance);
    if (e.spacing) expect(image.spacing).toEqual(e.spacing);
  });

  it('reads one frame of a multi-frame file', async () => {
    const e = expected['mr_multiframe.dcm'];
    const frame = await (await openImage(join(DIR, 'mr_multiframe.dcm'))).decode(2);
    const per = e.values.length / 3;
    expect(frame.shape).toEqual(e.shape.slice(1));
    expect([...frame.data]).toEqual(e.values.slice(2 * per));
  });

  it('keeps acquisition attributes and drops every patient identifier', async () => {
    const opened = await openImage(join(DIR, 'ct_explicit_le.dcm'));
    const image = await opened.decode();
    expect(image.spacing).toEqual([0.7, 0.8]);
    expect(image.meta).toMatchObject({
      Modality: 'CT',
      Manufacturer: 'FixtureCorp',
      ManufacturerModelName: 'Scanner 9000',
      PatientSex: 'F',
      PatientAgeBand: '40-49',
      RescaleSlope: 1,
      RescaleIntercept: -1024,
      WindowCenter: 40,
      WindowWidth: 400,
    });
    const text = JSON.stringify({
      header: opened.header.meta,
      meta: image.meta,
      series: opened.header.series,
    });
    for (const secret of [
      'Doe',
      'Jane',
      'PAT-001',
      '19790412',
      'Secret Street',
      'Nowhere',
      'House',
      'ACC123456',
      '1.2.826',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('names an unsupported transfer syntax', async () => {
    await expect(openImage(join(DIR, 'c_mpeg2.dcm'))).rejects.toThrow(/MPEG2/);
  });
});

describe('DICOM without the Part 10 preamble', () => {
  it('reads a bare implicit VR little endian dataset (old ACR-NEMA style files)', async () => {
    const dir = await scratchFolder();
    try {
      const part10 = readFileSync(join(DIR, 'ct_implicit_le.dcm'));
      // Skip preamble + "DICM" + (0002,0000) UL element (12 bytes) + the meta group it measures.
      const groupLength = part10.readUInt32LE(132 + 8);
      const file = await dir.write('IM0001', part10.subarray(132 + 12 + groupLength));
      const image = await (await openImage(file)).decode();
      const e = expected['ct_implicit_le.dcm'];
      expect(image.shape).toEqual(e.shape);
      expect(maxAbsDiff(image.data, e.values)).toBeLessThanOrEqual(1e-4);
    } finally {
      await dir.dispose();
    }
  });
});

describe('DICOM whose preamble holds another format', () => {
  it('is read as DICOM when the 128-byte preamble carries a TIFF header (DICM at 128 decides)', async () => {
    const dir = await scratchFolder();
    try {
      const bytes = Buffer.from(readFileSync(join(DIR, 'ct_explicit_le.dcm')));
      // A little-endian TIFF header pointing at an IFD inside the preamble (dual-personality files).
      bytes.set([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00], 0);
      const file = await dir.write('dual.dcm', bytes);
      const image = await (await openImage(file)).decode();
      const e = expected['ct_explicit_le.dcm'];
      expect(image.shape).toEqual(e.shape);
      expect(maxAbsDiff(image.data, e.values)).toBe(0);
    } finally {
      await dir.dispose();
    }
  });
});

describe('photometric interpretation in meta', () => {
  it('keeps MONOCHROME1 stored values, with the photometric interpretation and stored range in meta', async () => {
    const image = await (await openImage(join(DIR, 'dx_monochrome1.dcm'))).decode();
    expect(image.meta.PhotometricInterpretation).toBe('MONOCHROME1');
    expect(image.meta.valueRange).toEqual([0, 2 ** (image.meta.BitsStored as number) - 1]);
  });

  it('keeps PALETTE COLOR indices as 1-channel data and the palette in meta', async () => {
    const opened = await openImage(join(DIR, 'us_palette.dcm'));
    expect(opened.header.colorMode).toBe('grayscale');
    const image = await opened.decode();
    expect(image.meta.PhotometricInterpretation).toBe('PALETTE COLOR');
    expect(image.meta.palette).toMatchObject({ first: 0, bits: 16 });
  });
});

describe('corrupt compressed pixel data', () => {
  it.each(['c_jpegls_lossless.dcm', 'c_j2k_lossless.dcm', 'c_jpeg_lossless.dcm', 'c_jpeg_baseline.dcm'])(
    '%s with a garbled code stream fails with a readable message (regression: Emscripten threw bare numbers)',
    async (name) => {
      const dir = await scratchFolder();
      try {
        const bytes = Buffer.from(readFileSync(join(DIR, name)));
        // Garble the single fragment's code stream, keeping the item and sequence delimiters.
        const item = bytes.lastIndexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]));
        for (let i = item + 20; i < bytes.length - 12; i++) bytes[i] = (i * 151) & 0xff;
        const file = await dir.write(name, bytes);
        await expect((await openImage(file)).decode()).rejects.toThrow(
          /could not decode|compressed frame is/,
        );
      } finally {
        await dir.dispose();
      }
    },
  );
});

describe('12-bit JPEG Extended (GDCM in WebAssembly) against DCMTK', () => {
  // DCMTK compresses our fixtures to 12-bit JPEG (dcmcjpeg +ee) and decodes them back (dcmdjpeg, its
  // own 12-bit IJG libjpeg); the uncompressed result, read by the native path tested above, is the reference.
  let dir: ScratchFolder;
  const dcmtk = (tool: string, ...args: string[]): void => {
    try {
      execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`${tool} failed (apt-get install dcmtk): ${String(error)}`, { cause: error });
    }
  };
  const made = (name: string): { jpeg: string; reference: string } => ({
    jpeg: join(dir.root, `j12_${name}`),
    reference: join(dir.root, `ref_${name}`),
  });

  beforeAll(async () => {
    dir = await scratchFolder('phi-jpeg12-');
    for (const name of ['mr_base16.dcm', 'mr_multiframe.dcm', 'ct_stored12_signed.dcm']) {
      const { jpeg, reference } = made(name);
      dcmtk('dcmcjpeg', '+ee', join(DIR, name), jpeg);
      dcmtk('dcmdjpeg', jpeg, reference);
    }
  });
  afterAll(() => dir?.dispose());

  it.each(['mr_base16.dcm', 'mr_multiframe.dcm', 'ct_stored12_signed.dcm'])(
    '%s as 12-bit JPEG decodes exactly to what dcmdjpeg makes of it, printing nothing',
    async (name) => {
      const { jpeg, reference } = made(name);
      const bytes = readFileSync(jpeg);
      // The code stream really is 12-bit: its frame header follows the first fragment's item tag.
      const soi = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
      expect(jpegPrecision(bytes.subarray(soi))).toBe(12);
      const opened = await openImage(jpeg);
      expect(opened.header.meta.TransferSyntax).toBe('JPEG Extended (Process 2 & 4)');
      const printed = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error')];
      try {
        const image = await opened.decode();
        const expected = await (await openImage(reference)).decode();
        expect(image.shape).toEqual(expected.shape);
        expect(dtypeOf(image.data)).toBe(dtypeOf(expected.data));
        expect(maxAbsDiff(image.data, [...expected.data])).toBe(0);
        for (const spy of printed) expect(spy).not.toHaveBeenCalled();
      } finally {
        for (const spy of printed) spy.mockRestore();
      }
    },
  );

  it('decodes one frame of a multi-frame 12-bit JPEG file', async () => {
    const { jpeg, reference } = made('mr_multiframe.dcm');
    const frame = await (await openImage(jpeg)).decode(1);
    const expected = await (await openImage(reference)).decode(1);
    expect(frame.shape).toEqual(expected.shape);
    expect(maxAbsDiff(frame.data, [...expected.data])).toBe(0);
  });

  it('fails with a readable message when the 12-bit code stream is corrupt', async () => {
    const bytes = Buffer.from(readFileSync(made('mr_base16.dcm').jpeg));
    const sos = bytes.indexOf(Buffer.from([0xff, 0xda]));
    for (let i = sos + 14; i < bytes.length - 12; i++) bytes[i] = (i * 151) & 0xff;
    const file = await dir.write('garbled.dcm', bytes);
    const printed = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error')];
    try {
      await expect((await openImage(file)).decode()).rejects.toThrow(
        /12-bit JPEG decoder \(GDCM\) could not decode the pixel data \(corrupt or truncated\): Corrupt JPEG data/,
      );
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
    // The decoder still works after a failure.
    const image = await (await openImage(made('mr_base16.dcm').jpeg)).decode();
    expect(image.shape).toEqual([12, 16, 1]);
  });
});
