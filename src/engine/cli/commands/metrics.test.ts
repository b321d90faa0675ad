import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsCommand } from './metrics';
import { captureIo } from '../../test-support/cli-io';

const dir = mkdtempSync(join(tmpdir(), 'phi-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(dir);
  const code = await metricsCommand.run(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** A hand-made little-endian .npy (v1 header), independent of our writer. */
function npy(descr: '<i2' | '<f8', values: number[], shape: number[]): Buffer {
  const tuple = `${shape.join(', ')}${shape.length === 1 ? ',' : ''}`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${tuple}), }`;
  header = header.padEnd(64 - 10 - 1) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  const size = descr === '<i2' ? 2 : 8;
  const data = Buffer.alloc(values.length * size);
  values.forEach((v, k) => (size === 2 ? data.writeInt16LE(v, k * 2) : data.writeDoubleLE(v, k * 8)));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

describe('phi metrics', () => {
  it('classification CSVs match scikit-learn (labels and probability columns)', async () => {
    const fixtures = JSON.parse(
      readFileSync(join(__dirname, '../../../../tools/metrics-reference/fixtures.json'), 'utf8'),
    ) as {
      classification: {
        truth: number[];
        pred: number[];
        sensitivity: number[];
        ppv: number[];
        accuracy: number;
      }[];
    };
    const c = fixtures.classification[0];
    writeFileSync(join(dir, 'truth.csv'), ['id,label', ...c.truth.map((t, i) => `s${i},${t}`)].join('\n'));
    writeFileSync(join(dir, 'pred.csv'), c.pred.map((p, i) => `s${i},${p}`).join('\n'));
    const probs = c.pred.map((p, i) => `s${i},${[0, 1, 2].map((k) => (k === p ? 0.7 : 0.15)).join(',')}`);
    writeFileSync(join(dir, 'probs.csv'), ['id,p0,p1,p2', ...probs].join('\n'));
    for (const pred of ['pred.csv', 'probs.csv']) {
      const r = await run(['--task', 'classification', '--truth', 'truth.csv', '--pred', pred, '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out);
      expect(report.task).toBe('classification');
      expect(report.classes).toEqual(['0', '1', '2']);
      expect(report.overall.accuracy).toBeCloseTo(c.accuracy, 10);
      report.perClass.sensitivity.forEach((v: number, i: number) =>
        expect(v).toBeCloseTo(c.sensitivity[i], 10),
      );
      report.perClass.ppv.forEach((v: number, i: number) => expect(v).toBeCloseTo(c.ppv[i], 10));
      expect(Object.keys(report)).toEqual(expect.arrayContaining(['overall', 'perClass', 'macro']));
    }
  });

  it('segmentation masks (PNG and .npy) with a class never present giving null', async () => {
    // Truth 2x3: [0,1,1 / 0,0,1]; prediction [0,1,0 / 0,1,1]. Class 1: TP 2, FP 1, FN 1, TN 2.
    mkdirSync(join(dir, 'seg-t'));
    mkdirSync(join(dir, 'seg-p'));
    await sharp(Buffer.from([0, 1, 1, 0, 0, 1]), { raw: { width: 3, height: 2, channels: 1 } })
      .png()
      .toFile(join(dir, 'seg-t', 'a.png'));
    writeFileSync(join(dir, 'seg-p', 'a.npy'), npy('<i2', [0, 1, 0, 0, 1, 1], [2, 3]));
    const r = await run([
      '--task',
      'segmentation',
      '--truth',
      'seg-t',
      '--pred',
      'seg-p',
      '--classes',
      '3',
      '--json',
    ]);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report.matched).toBe(1);
    expect(report.perClass.dice[1]).toBeCloseTo(4 / 6, 12);
    expect(report.perClass.iou[1]).toBeCloseTo(2 / 4, 12);
    expect(report.perClass.sensitivity[2]).toBeNull();
    expect(report.perClass.iou[2]).toBeNull();
    expect(report.overall.miou).toBeCloseTo((2 / 4 + 2 / 4) / 2, 12);
    expect(report.overall.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('transformation .npy with --range gives MAE, MSE, RMSE, MSLE, PSNR', async () => {
    mkdirSync(join(dir, 'tr-t'));
    mkdirSync(join(dir, 'tr-p'));
    writeFileSync(join(dir, 'tr-t', 'x.npy'), npy('<f8', [0, 1, 2, 3], [4]));
    writeFileSync(join(dir, 'tr-p', 'x.npy'), npy('<f8', [0, 1, 2, 5], [4]));
    const report = JSON.parse(
      (await run(['--task', 'transformation', '--truth', 'tr-t', '--pred', 'tr-p', '--range', '4', '--json']))
        .out,
    );
    expect(report.overall.mae).toBeCloseTo(0.5, 12);
    expect(report.overall.mse).toBeCloseTo(1, 12);
    expect(report.overall.rmse).toBeCloseTo(1, 12);
    expect(report.overall.msle).toBeCloseTo((Math.log(4) - Math.log(6)) ** 2 / 4, 12);
    expect(report.overall.psnr).toBeCloseTo(10 * Math.log10(16), 12);
  });

  it('detection COCO JSON gives mAP@0.5 (hand-worked)', async () => {
    writeFileSync(
      join(dir, 'coco.json'),
      JSON.stringify({
        images: [{ id: 1 }, { id: 2 }],
        categories: [{ id: 7, name: 'lesion' }],
        annotations: [
          { image_id: 1, category_id: 7, bbox: [0, 0, 10, 10] },
          { image_id: 2, category_id: 7, bbox: [20, 20, 10, 10] },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'dets.json'),
      JSON.stringify([
        { image_id: 1, category_id: 7, bbox: [0, 0, 10, 10], score: 0.9 },
        { image_id: 1, category_id: 7, bbox: [50, 50, 10, 10], score: 0.8 },
        { image_id: 2, category_id: 7, bbox: [21, 21, 10, 10], score: 0.7 },
      ]),
    );
    const report = JSON.parse(
      (await run(['--task', 'detection', '--truth', 'coco.json', '--pred', 'dets.json', '--json'])).out,
    );
    expect(report.classes).toEqual(['lesion']);
    expect(report.overall.map50).toBeCloseTo((51 + 50 * (2 / 3)) / 101, 12);
    expect(report.perClass.accuracyByClass).toEqual([1]);
  });

  it('bad usage exits 2 via UsageError; unreadable input exits 1 with a message', async () => {
    await expect(run(['--task', 'nope', '--truth', 'a', '--pred', 'b'])).rejects.toThrow(
      /--task must be one of/,
    );
    const r = await run(['--task', 'segmentation', '--truth', 'missing', '--pred', 'seg-p']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/phi metrics: .*missing/);
    const table = await run([
      '--task',
      'segmentation',
      '--truth',
      'seg-t',
      '--pred',
      'seg-p',
      '--classes',
      '3',
    ]);
    expect(table.out).toMatch(/segmentation: 1 items compared/);
    expect(table.out).toMatch(/—/);
  });
});
