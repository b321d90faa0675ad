import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsCommand } from './metrics';
import { captureIo, runPhi } from '../../test-support/cli-io';
import { pythonWith } from '../../test-support/python';

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

  it('class-name labels and p_<class> columns as phi predict writes them: AUC, AP, Brier, ECE as scikit-learn, with intervals', async () => {
    const python = pythonWith(['numpy', 'sklearn'], 'python3-numpy python3-sklearn');
    const script = join(__dirname, '../../../../tools/metrics-reference/probabilities.py');
    const ref = JSON.parse(spawnSync(python, [script], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout) as {
      cases: {
        classes: number;
        bins: number;
        truth: number[];
        probs: number[][];
        perClass: { auc: number; averagePrecision: number; brier: number; ece: number }[];
        aucMacro: number;
        brierMulticlass: number;
        topLabelEce: number;
      }[];
    };
    const c = ref.cases.find((x) => x.classes === 3) as (typeof ref.cases)[number];
    // Columns in an order that is not alphabetical: the class list must follow them.
    const names = ['normal', 'benign', 'malignant'];
    writeFileSync(
      join(dir, 'names-truth.csv'),
      ['id,label', ...c.truth.map((t, i) => `img${i}.png,${i % 5 === 0 ? t : names[t]}`)].join('\n'),
    );
    const rows = c.probs.map((p, i) => [`img${i}.png`, names[p.indexOf(Math.max(...p))], ...p].join(','));
    writeFileSync(
      join(dir, 'predictions.csv'),
      [['id', 'label', ...names.map((n) => `p_${n}`)].join(','), ...rows].join('\n'),
    );
    const args = ['--task', 'classification', '--truth', 'names-truth.csv', '--pred', 'predictions.csv'];
    const r = await runPhi(dir, [
      'metrics',
      ...args,
      '--bins',
      String(c.bins),
      '--bootstrap',
      '300',
      '--seed',
      '4',
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.classes).toEqual(names);
    expect(report.matched).toBe(c.truth.length);
    expect(report.settings).toMatchObject({
      items: c.truth.length,
      eceBins: c.bins,
      bootstrapResamples: 300,
      seed: 4,
    });
    const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9);
    near(report.overall.auc, c.aucMacro);
    near(report.overall.brier, c.brierMulticlass);
    near(report.overall.ece, c.topLabelEce);
    c.perClass.forEach((want, k) => {
      near(report.perClass.auc[k], want.auc);
      near(report.perClass.averagePrecision[k], want.averagePrecision);
      near(report.perClass.brier[k], want.brier);
      near(report.perClass.ece[k], want.ece);
    });
    for (const key of ['accuracy', 'auc', 'aucMicro', 'averagePrecision', 'brier', 'ece']) {
      const [lo, hi] = report.overall[`${key}CI95`] as [number, number];
      expect(lo, key).toBeLessThanOrEqual(report.overall[key]);
      expect(hi, key).toBeGreaterThanOrEqual(report.overall[key]);
    }
    expect(report.perClass.aucCI95).toHaveLength(3);
    expect(report.perClass.aucDeLongCI95).toHaveLength(3);
    expect(report.reliability.overall).toHaveLength(c.bins);
    // The same seed gives the same intervals.
    const again = JSON.parse(
      (
        await runPhi(dir, [
          'metrics',
          ...args,
          '--bins',
          String(c.bins),
          '--bootstrap',
          '300',
          '--seed',
          '4',
          '--json',
        ])
      ).out,
    );
    expect(again.overall.aucCI95).toEqual(report.overall.aucCI95);

    const text = await runPhi(dir, ['metrics', ...args, '--bootstrap', '200']);
    expect(text.out).toMatch(new RegExp(`classification: ${c.truth.length} items compared`));
    expect(text.out).toMatch(
      /items \d+; eceBins 10; bootstrapResamples 200; seed 0; ci 95% stratified bootstrap, percentile/,
    );
    expect(text.out).toMatch(/auc +0\.\d{4} \(0\.\d{4}–[01]\.\d{4}\)/);
    expect(text.out).toMatch(/metric +normal +benign +malignant +macro/);
  });

  it('an operating point chosen on validation predictions is applied to the test predictions', async () => {
    // Validation: positives 0.9, 0.8, 0.6, 0.3; negatives 0.7, 0.4, 0.2, 0.1 -> sens >= 0.75 at 0.6.
    // Test: positives 0.65, 0.5; negatives 0.9, 0.6, 0.2 -> Youden's J on itself is 1 + 1/3 - 1 at 0.5.
    const val = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1];
    const valTruth = [1, 1, 0, 1, 0, 1, 0, 0];
    const test = [0.65, 0.6, 0.5, 0.2, 0.9];
    const testTruth = [1, 0, 1, 0, 0];
    const label = (t: number) => (t ? 'lesion' : 'clear');
    writeFileSync(
      join(dir, 'op-truth.csv'),
      [
        'id,label',
        ...valTruth.map((t, i) => `v${i},${label(t)}`),
        ...testTruth.map((t, i) => `t${i},${label(t)}`),
      ].join('\n'),
    );
    const write = (file: string, prefix: string, scores: number[]) =>
      writeFileSync(
        join(dir, file),
        ['id,label,p_clear,p_lesion', ...scores.map((p, i) => `${prefix}${i},x,${1 - p},${p}`)].join('\n'),
      );
    write('op-val.csv', 'v', val);
    write('op-test.csv', 't', test);
    const r = await runPhi(dir, [
      'metrics',
      '--task',
      'classification',
      '--truth',
      'op-truth.csv',
      '--pred',
      'op-test.csv',
      '--validation',
      'op-val.csv',
      '--operating-point',
      'sens=0.75',
      '--bootstrap',
      '100',
      '--json',
    ]);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report.classes).toEqual(['clear', 'lesion']);
    expect(report.unmatched).toEqual([]);
    expect(report.operatingPoint.chosenOn).toMatch(/op-val\.csv$/);
    expect(report.operatingPoint.classes).toHaveLength(1);
    expect(report.operatingPoint.classes[0]).toMatchObject({
      class: 'lesion',
      threshold: 0.6,
      tp: 1,
      fn: 1,
      fp: 2,
      tn: 1,
      sensitivity: 0.5,
    });
    const text = await runPhi(dir, [
      'metrics',
      '--task',
      'classification',
      '--truth',
      'op-truth.csv',
      '--pred',
      'op-test.csv',
      '--operating-point',
      'youden',
    ]);
    expect(text.out).toMatch(/operating point: Youden's J, chosen on .*op-test\.csv/);
    expect(text.out).toMatch(/lesion: threshold 0\.5000, TP 2 FP 2 TN 1 FN 0/);
  });

  it('patient-level metrics from the max of item probabilities', async () => {
    // Patients: A (lesion) max 0.9, B (clear) 0.4, C (lesion) 0.55, D (clear) 0.6 -> AUC 3/4.
    const items: [string, string, string, number][] = [
      ['a1', 'A', 'lesion', 0.9],
      ['a2', 'A', 'clear', 0.2],
      ['b1', 'B', 'clear', 0.4],
      ['b2', 'B', 'clear', 0.3],
      ['c1', 'C', 'lesion', 0.35],
      ['c2', 'C', 'lesion', 0.55],
      ['d1', 'D', 'clear', 0.6],
      ['d2', 'D', 'clear', 0.1],
    ];
    writeFileSync(join(dir, 'pt-truth.csv'), ['id,label', ...items.map((r) => `${r[0]},${r[2]}`)].join('\n'));
    writeFileSync(join(dir, 'pt-map.csv'), ['id,patient', ...items.map((r) => `${r[0]},${r[1]}`)].join('\n'));
    writeFileSync(
      join(dir, 'pt-pred.csv'),
      ['id,label,p_clear,p_lesion', ...items.map((r) => `${r[0]},x,${1 - r[3]},${r[3]}`)].join('\n'),
    );
    const args = ['--task', 'classification', '--truth', 'pt-truth.csv', '--pred', 'pt-pred.csv'];
    const r = await run([...args, '--patients', 'pt-map.csv', '--patient-level', 'max', '--json']);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report.settings).toMatchObject({ items: 8, patients: 4, patientLevel: 'max' });
    expect(report.overall.auc).toBeCloseTo(3 / 4, 12);
    expect(report.confusion).toEqual([
      [1, 1],
      [0, 2],
    ]);
    const mean = await run([...args, '--patients', 'pt-map.csv']);
    expect(mean.code).toBe(1);
    expect(mean.err).toMatch(/patient A: items of classes/);
  });

  it('refuses class-name labels that p0..pN columns cannot place, and labels outside the classes', async () => {
    writeFileSync(join(dir, 'n-truth.csv'), 'id,label\na,cat\nb,dog\n');
    writeFileSync(join(dir, 'n-p.csv'), 'id,p0,p1\na,0.8,0.2\nb,0.3,0.7\n');
    const r = await run(['--task', 'classification', '--truth', 'n-truth.csv', '--pred', 'n-p.csv']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/do not name the classes: write them as p_<class>/);
    writeFileSync(join(dir, 'n-named.csv'), 'id,p_cat,p_cow\na,0.8,0.2\nb,0.3,0.7\n');
    const bad = await run(['--task', 'classification', '--truth', 'n-truth.csv', '--pred', 'n-named.csv']);
    expect(bad.err).toMatch(/b: label "dog" is neither one of the 2 classes \(cat, cow\) nor an index 0..1/);
  });

  it('segmentation reads 0/255 PNG masks as two classes, as the dataset reader does', async () => {
    mkdirSync(join(dir, 'bin-t'));
    mkdirSync(join(dir, 'bin-p'));
    await sharp(Buffer.from([0, 255, 255, 0, 0, 255]), { raw: { width: 3, height: 2, channels: 1 } })
      .png()
      .toFile(join(dir, 'bin-t', 'a.png'));
    await sharp(Buffer.from([0, 1, 0, 0, 1, 1]), { raw: { width: 3, height: 2, channels: 1 } })
      .png()
      .toFile(join(dir, 'bin-p', 'a.png'));
    const r = await run(['--task', 'segmentation', '--truth', 'bin-t', '--pred', 'bin-p', '--json']);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report.classes).toEqual(['background', 'foreground']);
    expect(report.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(report.perClass.dice[1]).toBeCloseTo(4 / 6, 12);
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

  it("segmentation reports each image's own Dice as a distribution beside the pooled figure", async () => {
    // Three 1x4 images, foreground Dice per image: 1, 2/3 and none (no foreground in truth or prediction).
    mkdirSync(join(dir, 'case-t'));
    mkdirSync(join(dir, 'case-p'));
    const masks: [string, number[], number[]][] = [
      ['a', [0, 1, 1, 0], [0, 1, 1, 0]],
      ['b', [1, 1, 0, 0], [1, 0, 0, 0]],
      ['c', [0, 0, 0, 0], [0, 0, 0, 0]],
    ];
    for (const [name, t, p] of masks) {
      writeFileSync(join(dir, 'case-t', `${name}.npy`), npy('<i2', t, [1, 4]));
      writeFileSync(join(dir, 'case-p', `${name}.npy`), npy('<i2', p, [1, 4]));
    }
    const report = JSON.parse(
      (await run(['--task', 'segmentation', '--truth', 'case-t', '--pred', 'case-p', '--json'])).out,
    );
    const foreground = report.perCaseDice[1];
    expect(foreground).toMatchObject({ n: 2, min: 2 / 3, max: 1 });
    expect(foreground.mean).toBeCloseTo(5 / 6, 12);
    expect(foreground.median).toBeCloseTo(5 / 6, 12);
    expect(foreground.q1).toBeCloseTo(2 / 3 + (1 / 3) * 0.25, 12);
    // Pooled over all pixels: TP 3, FP 0, FN 1.
    expect(report.perClass.dice[1]).toBeCloseTo(6 / 7, 12);
    expect(report.settings.images).toBe(3);
    const text = await run(['--task', 'segmentation', '--truth', 'case-t', '--pred', 'case-p']);
    expect(text.out).toMatch(/^ {2}foreground: 2 images, median 0\.8333 \[IQR 0\.7500–0\.9167\]/m);
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
    expect(report.settings).toMatchObject({ psnrDataRange: 4, psnrDataRangeFrom: '--range' });
    const byDefault = await run(['--task', 'transformation', '--truth', 'tr-t', '--pred', 'tr-p']);
    expect(byDefault.out).toMatch(/psnrDataRange 3; psnrDataRangeFrom the targets' max - min/);
    expect(byDefault.out).toMatch(/psnr +\d/);
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
    expect(report.settings).toEqual({ images: 2, scoreThreshold: 0.3 });
  });

  it("detection accuracy by class counts boxes at the stated score threshold, the network node's by default", async () => {
    writeFileSync(
      join(dir, 'coco3.json'),
      JSON.stringify({
        images: [{ id: 1 }, { id: 2 }, { id: 3 }],
        categories: [{ id: 1, name: 'nodule' }],
        annotations: [{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] }],
      }),
    );
    // Image 1 has a nodule found at 0.4; image 2 none, but a box at 0.35; image 3 none and no box.
    writeFileSync(
      join(dir, 'dets3.json'),
      JSON.stringify([
        { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.4 },
        { image_id: 2, category_id: 1, bbox: [5, 5, 10, 10], score: 0.35 },
      ]),
    );
    const at = async (extra: string[]) =>
      JSON.parse(
        (
          await run([
            '--task',
            'detection',
            '--truth',
            'coco3.json',
            '--pred',
            'dets3.json',
            '--json',
            ...extra,
          ])
        ).out,
      );
    // At 0.3 (the default): images 1 and 3 right, image 2 a false positive.
    const byDefault = await at([]);
    expect(byDefault.perClass.accuracyByClass[0]).toBeCloseTo(2 / 3, 12);
    expect(byDefault.settings.scoreThreshold).toBe(0.3);
    // At 0.5: image 1's nodule is missed, image 2 is right.
    const strict = await at(['--score-threshold', '0.5']);
    expect(strict.perClass.accuracyByClass[0]).toBeCloseTo(2 / 3, 12);
    expect(strict.settings.scoreThreshold).toBe(0.5);
    const loose = await at(['--score-threshold', '0.38']);
    expect(loose.perClass.accuracyByClass[0]).toBe(1);
    const text = await run(['--task', 'detection', '--truth', 'coco3.json', '--pred', 'dets3.json']);
    expect(text.out).toMatch(/scoreThreshold 0\.3/);
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
