/**
 * The study settings of a real trained classifier: its operating rule (the
 * node's `operatingPoint`, here a target sensitivity) picks the threshold on
 * the validation split, changing it re-evaluates without training, and the
 * stored study carries per-subgroup figures for the columns of the node's
 * subgroup CSV, each group's AUC equal to scikit-learn's on its items. The error
 * gallery's Grad-CAM comes from the model that made the evaluation, or not at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgroupRows, type EngineEvent, type EvaluationRecord, type ScoredSet } from '../api';
import { subgroupAttributes } from '../nn/evaluation/subgroup-attributes';
import { rng } from '../test-support/phantoms';
import { GraphBuilder, tempDir } from '../test-support/pipeline';
import { pythonWith } from '../test-support/python';
import { runPhi } from '../test-support/cli-io';
import { ProjectStore } from '../store/project-store';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir('phi-test-study-');
const project = join(dir, 'study.phiproj');
const SITES = ['north', 'south', 'east'];
let engine: Engine;
const logs: string[] = [];

/** Two classes of 16x16 discs whose brightness overlaps, so the AUC is neither 0.5 nor 1. */
async function writeData(root: string, perClass: number): Promise<string[]> {
  const random = rng(3);
  const ids: string[] = [];
  for (const [k, name] of ['benign', 'malignant'].entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const level = 110 + 25 * k + 50 * (random() - 0.5);
      const data = new Uint8Array(256);
      for (let p = 0; p < 256; p++) {
        const [x, y] = [p % 16, Math.floor(p / 16)];
        data[p] = Math.round(((x - 8) ** 2 + (y - 8) ** 2 < 20 ? level : 30) + 40 * (random() - 0.5));
      }
      const id = `${name}/${name}-${i}.png`;
      await sharp(data, { raw: { width: 16, height: 16, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(root, id));
      ids.push(id);
    }
  }
  return ids;
}

beforeAll(async () => {
  const registry = createBuiltinRegistry();
  const ids = await writeData(join(dir, 'data'), 60);
  // The site of each item: a column the data set does not hold, given beside it.
  writeFileSync(
    join(dir, 'sites.csv'),
    `id,site\n${ids.map((id, i) => `${id},${SITES[i % 3]}`).join('\n')}\n`,
  );
  ProjectStore.create(project, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false, train: 50, validation: 25, test: 25 }],
        [
          'net',
          'neural-network',
          {
            task: 'classification',
            epochs: 3,
            batchSize: 8,
            baseFilters: 4,
            depth: 1,
            operatingPoint: 'sens=0.9',
            subgroupFile: 'sites.csv',
          },
        ],
      )
      .build(),
  }).close();
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry, seed: 5 });
  engine.onDidEmit((event: EngineEvent) => {
    if (event.type === 'log') logs.push(event.message);
  });
  await engine.openProject({ path: project });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
});
afterAll(() => {
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** The model's probabilities of one split's items, with their ids, read through the View tab's prediction. */
async function scoresOf(split: 'test' | 'validation'): Promise<ScoredSet & { ids: string[] }> {
  const items = (await engine.listFiles({ node: 'data', limit: 1000 })).items.filter(
    (i) => i.split === split,
  );
  const set = { truth: [] as number[], probs: [] as number[][], ids: [] as string[] };
  for (const item of items) {
    const p = await engine.getPrediction({ node: 'net', sampleId: item.id });
    set.truth.push(p.trueClass as number);
    set.probs.push(p.probabilities as number[]);
    set.ids.push(item.id);
  }
  return set;
}

/** The highest score whose threshold keeps a sensitivity of at least `target` (brute force). */
function sensitivityThreshold(set: ScoredSet, target: number): number {
  const positives = set.probs.filter((_, i) => set.truth[i] === 1).map((p) => p[1]);
  const candidates = [...new Set(set.probs.map((p) => p[1]))].sort((a, b) => b - a);
  const found = candidates.find((t) => positives.filter((p) => p >= t).length / positives.length >= target);
  return found as number;
}

describe('the study of a trained classifier', () => {
  let test: EvaluationRecord;

  it("chooses the threshold by the node's rule on the validation split", async () => {
    test = (await engine.getEvaluation({ node: 'net' })).test as EvaluationRecord;
    const validation = await scoresOf('validation');
    const op = test.study.operatingPoint?.classes[0];
    expect(test.study.operatingPoint?.rule).toBe('sensitivity >= 0.9');
    expect(op?.threshold).toBe(sensitivityThreshold(validation, 0.9));
    expect(test.confusionRule).toContain('sensitivity >= 0.9 on validation');
  });

  it('stores per-site figures with counts, each AUC as scikit-learn computes it', async () => {
    const testSet = await scoresOf('test');
    const bySite = test.subgroups?.find((s) => s.attribute === 'site');
    expect(test.subgroups?.map((s) => s.attribute)).toEqual(['site']);
    expect(bySite?.groups.map((g) => g.value)).toEqual([...SITES].sort());
    expect(bySite?.groups.reduce((n, g) => n + g.items, 0)).toBe(test.items);
    const python = pythonWith(['sklearn'], 'python3-sklearn');
    const sites = new Map(
      testSet.ids.map((id, i) => {
        const index = Number(/-(\d+)\.png$/.exec(id)?.[1]) + (id.startsWith('malignant') ? 60 : 0);
        return [i, SITES[index % 3]];
      }),
    );
    for (const group of bySite?.groups ?? []) {
      const members = [...sites].filter(([, site]) => site === group.value).map(([i]) => i);
      const truth = members.map((i) => testSet.truth[i]);
      const scores = members.map((i) => testSet.probs[i][1]);
      expect(group.items).toBe(members.length);
      expect(group.perClassItems).toEqual([0, 1].map((c) => truth.filter((t) => t === c).length));
      const run = spawnSync(
        python,
        [
          '-c',
          'import sys, json; from sklearn.metrics import roc_auc_score; d = json.load(sys.stdin); print(roc_auc_score(d[0], d[1]))',
        ],
        { input: JSON.stringify([truth, scores]), encoding: 'utf8' },
      );
      const auc = Number(run.stdout);
      console.log(
        `site ${group.value}: ${group.items} items (${group.perClassItems.join('/')}), AUC ${String(group.overall.auc)} [${String(group.overall.aucCI95)}], scikit-learn ${auc}`,
      );
      expect(group.overall.auc as number).toBeCloseTo(auc, 9);
      expect(group.overall.aucCI95).toHaveLength(2);
      // The group is called at the whole validation split's threshold, never one of its own.
      expect(group.operatingPoint?.[0].threshold).toBe(test.study.operatingPoint?.classes[0].threshold);
    }
  });

  it('a new operating rule is a new study of the same model, without training', async () => {
    const node = (await engine.getProject())?.graph.nodes.find((n) => n.id === 'net');
    await engine.editGraph({
      edits: [{ op: 'set-params', id: 'net', params: { ...node?.params, operatingPoint: 'spec=0.8' } }],
    });
    logs.length = 0;
    const run = await engine.run({ mode: 'all' });
    expect(run.status).toBe('done');
    expect(logs.some((m) => m.includes('evaluating only'))).toBe(true);
    const again = (await engine.getEvaluation({ node: 'net' })).test as EvaluationRecord;
    expect(again.id).not.toBe(test.id);
    expect(again.study.operatingPoint?.rule).toBe('specificity >= 0.8');
    expect(again.study.overall.auc).toBe(test.study.overall.auc);
  });

  it("shows the Grad-CAM of the evaluation's own model, and refuses it once the model changed", async () => {
    const current = (await engine.getEvaluation({ node: 'net' })).test as EvaluationRecord;
    const item = current.errors?.[0]?.id ?? (await scoresOf('test')).ids[0];
    const shown = await engine.getPrediction({ node: 'net', sampleId: item, evaluation: current.id });
    expect(shown.gradCam?.dataUrl).toMatch(/^data:image\/png;base64,/);
    // Another learning rate trains another model: the old evaluation's maps would be its.
    const node = (await engine.getProject())?.graph.nodes.find((n) => n.id === 'net');
    await engine.editGraph({
      edits: [{ op: 'set-params', id: 'net', params: { ...node?.params, learningRate: 0.002 } }],
    });
    expect((await engine.run({ mode: 'all' })).status).toBe('done');
    await expect(
      engine.getPrediction({ node: 'net', sampleId: item, evaluation: current.id }),
    ).rejects.toThrow(/The model of "net" has changed since run .+ made this evaluation/);
    const latest = (await engine.getEvaluation({ node: 'net' })).test as EvaluationRecord;
    expect(latest.id).not.toBe(current.id);
    const now = await engine.getPrediction({ node: 'net', sampleId: item, evaluation: latest.id });
    expect(now.gradCam?.dataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it("phi evaluate uses the node's rule unless told another", async () => {
    await writeData(join(dir, 'site-b'), 12);
    engine.closeProject();
    const evaluate = (...extra: string[]) =>
      runPhi(dir, ['evaluate', 'study.phiproj', '--node', 'net', '--dataset', 'site-b', ...extra]);
    const own = await evaluate('--json');
    expect(own.code).toBe(0);
    expect((JSON.parse(own.out) as EvaluationRecord).study.operatingPoint?.rule).toBe('specificity >= 0.8');
    const told = await evaluate('--operating-point', 'youden');
    expect(told.code).toBe(0);
    expect(told.out).toContain("Youden's J");
    // The folder's items are named like the training's: the subgroup file gives their sites too.
    const external = JSON.parse(own.out) as EvaluationRecord;
    for (const row of subgroupRows(external))
      expect(told.out).toContain(
        `${`${row.attribute}: ${row.value}`.padEnd(32)} n ${String(row.items).padStart(5)} (${row.counts})`,
      );
    expect(subgroupRows(external).map((r) => r.value)).toEqual([...SITES].sort());
    await engine.openProject({ path: project });
  });
});

describe('subgroup attributes', () => {
  it('reads manufacturer, model, sex and age band from kept DICOM attributes and leaves out what no item records', () => {
    const attributes = subgroupAttributes(
      ['a', 'b', 'c'],
      [
        { Manufacturer: 'SIEMENS', PatientSex: 'F', PatientAgeBand: '40-49' },
        { Manufacturer: 'GE MEDICAL SYSTEMS', PatientAgeBand: '90+' },
        {},
      ],
    );
    expect(attributes).toEqual({
      manufacturer: ['SIEMENS', 'GE MEDICAL SYSTEMS', undefined],
      sex: ['F', undefined, undefined],
      'age band': ['40-49', '90+', undefined],
    });
  });
});
