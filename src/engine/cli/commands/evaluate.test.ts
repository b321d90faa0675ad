/**
 * Evaluation runs on a real trained classifier: the study report stored after training
 * equals the study metrics of the model's own predictions, a cached run reports it
 * unchanged, and `phi evaluate` validates the model on another labelled folder, prints
 * the report and stores it as an evaluation run that `getEvaluation` lists.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationRecord, ScoredSet } from '../../api';
import { studyMetrics } from '../../nn/metrics/study';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { Engine } from '../../service/engine';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { GraphBuilder, tempDir, writeClassFolders } from '../../test-support/pipeline';

const dir = tempDir();
const project = join(dir, 'lesions.phiproj');
const SEED = 7;
let engine: Engine;

beforeAll(async () => {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data'), {
    classes: { benign: 24, malignant: 24 },
    size: [16, 16],
    channels: 1,
  });
  ProjectStore.create(project, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        ['resize', 'resize', { width: 16, height: 16 }],
        [
          'net',
          'neural-network',
          { task: 'classification', epochs: 3, batchSize: 4, baseFilters: 4, depth: 1 },
        ],
      )
      .build(),
  }).close();
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry, seed: SEED });
  await engine.openProject({ path: project });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
});
afterAll(() => {
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** The model's probabilities of one split's items, read through the View tab's prediction. */
async function scoresOf(split: 'test' | 'validation'): Promise<ScoredSet> {
  const items = (await engine.listFiles({ node: 'resize', limit: 1000 })).items.filter(
    (i) => i.split === split,
  );
  const set: ScoredSet = { truth: [], probs: [] };
  for (const item of items) {
    const p = await engine.getPrediction({ node: 'net', sampleId: item.id });
    set.truth.push(p.trueClass as number);
    set.probs.push(p.probabilities as number[]);
  }
  return set;
}

describe('evaluation runs', () => {
  let test: EvaluationRecord;

  it('stores the study report of the test split, equal to the study metrics of the trained model', async () => {
    const history = await engine.getEvaluation({ node: 'net' });
    expect(history.test).toBeDefined();
    test = history.test as EvaluationRecord;
    const [testSet, validation] = [await scoresOf('test'), await scoresOf('validation')];
    expect(test.classes).toEqual(['benign', 'malignant']);
    expect(test.model).toBe('full');
    expect(test.items).toBe(testSet.truth.length);
    expect(test.counts).toEqual([0, 1].map((c) => testSet.truth.filter((t) => t === c).length));
    expect(test.operatingSet?.items).toBe(validation.truth.length);

    const expected = studyMetrics(
      {
        classes: 2,
        truth: testSet.truth,
        pred: testSet.probs.map((p) => (p[1] > p[0] ? 1 : 0)),
        probs: testSet.probs,
      },
      {
        bins: 10,
        bootstrap: { resamples: 1000, seed: SEED },
        operating: {
          rule: { kind: 'youden' },
          chooseOn: {
            classes: 2,
            truth: validation.truth,
            pred: validation.probs.map((p) => (p[1] > p[0] ? 1 : 0)),
            probs: validation.probs,
          },
        },
      },
    );
    for (const key of ['auc', 'averagePrecision', 'brier', 'ece', 'accuracy'])
      expect(test.study.overall[key] as number).toBeCloseTo(expected.overall[key] as number, 5);
    const [lo, hi] = test.study.overall.aucCI95 as [number, number];
    expect(lo).toBeCloseTo((expected.overall.aucCI95 as number[])[0], 5);
    expect(hi).toBeCloseTo((expected.overall.aucCI95 as number[])[1], 5);
    expect(test.study.overall.aucDeLongCI95).toEqual(expected.overall.aucDeLongCI95);
    const op = test.study.operatingPoint?.classes[0];
    expect(op?.threshold).toBeCloseTo(expected.operatingPoint?.classes[0].threshold as number, 5);
    expect(test.study.operatingPoint?.rule).toBe("Youden's J");
    // The confusion matrix is the operating point's counts, rows true, columns predicted.
    expect(test.confusion).toEqual([
      [op?.tn, op?.fp],
      [op?.fn, op?.tp],
    ]);
    expect(test.curves[0].roc?.fpr[0]).toBe(0);
    expect(test.curves[0].roc?.tpr.at(-1)).toBe(1);
    expect(test.study.reliability?.overall).toHaveLength(10);
  });

  it('a cached run trains nothing and reports the evaluation it has', async () => {
    const again = await engine.run({ mode: 'all' });
    expect(again.cached).toContain('net');
    expect((await engine.getEvaluation({ node: 'net' })).test?.id).toBe(test.id);
  });

  it('phi evaluate validates the model on an external labelled folder and stores the run', async () => {
    await writeClassFolders(join(dir, 'site-b'), {
      classes: { benign: 7, malignant: 5 },
      size: [20, 20],
      channels: 1,
    });
    engine.closeProject();
    const text = await runPhi(dir, ['evaluate', 'lesions.phiproj', '--node', 'net', '--dataset', 'site-b']);
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    expect(text.out).toContain('Classes: benign, malignant; 12 items: benign 7, malignant 5');
    expect(text.out).toMatch(/ROC AUC +\d\.\d{3} +\[\d\.\d{3}, \d\.\d{3}\]/);

    const json = await runPhi(dir, [
      'evaluate',
      'lesions.phiproj',
      '--node',
      'net',
      '--dataset',
      'site-b',
      '--bootstrap',
      '500',
      '--json',
    ]);
    expect(json.code).toBe(0);
    const record = JSON.parse(json.out) as EvaluationRecord;
    expect(record.source).toBe('external');
    expect(record.dataset).toBe(join(dir, 'site-b'));
    expect(record.counts).toEqual([7, 5]);
    expect(record.study.settings.bootstrap).toBe(500);
    // The threshold is the one chosen on the training's validation split.
    expect(record.study.operatingPoint?.classes[0].threshold).toBe(
      test.study.operatingPoint?.classes[0].threshold,
    );
    const op = record.study.operatingPoint?.classes[0];
    expect((op?.tp ?? 0) + (op?.fn ?? 0)).toBe(5);

    await engine.openProject({ path: project });
    const history = await engine.getEvaluation({ node: 'net' });
    expect(history.external.map((x) => x.id)[0]).toBe(record.id);
    expect(history.external).toHaveLength(2);
    expect(history.external[1].dataset).toBe(join(dir, 'site-b'));
    expect(history.test?.id).toBe(test.id);
  });

  it('phi evaluate refuses a folder with a class the network does not know', async () => {
    await writeClassFolders(join(dir, 'other'), {
      classes: { benign: 2, cyst: 2 },
      size: [16, 16],
      channels: 1,
    });
    const out = await runPhi(dir, ['evaluate', 'lesions.phiproj', '--node', 'net', '--dataset', 'other']);
    expect(out.code).toBe(1);
    expect(out.err).toContain('classes the network was not trained on: cyst');
  });
});
