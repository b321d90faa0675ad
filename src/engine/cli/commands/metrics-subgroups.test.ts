/**
 * `phi metrics --subgroups`: the same metrics per manufacturer, sex and age
 * band, with counts, each group's AUC and accuracy equal to scikit-learn's on
 * that group's items alone (grouped here in Python by the documented rules:
 * 10-year age bands, empty values "not recorded").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runPhi } from '../../test-support/cli-io';
import { pythonWith } from '../../test-support/python';
import type { MetricsReport } from '../../nn/metrics/files';

const dir = mkdtempSync(join(tmpdir(), 'phi-subgroups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic uniform numbers (a linear congruential sequence). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

it('reports each subgroup with its counts, and figures equal to scikit-learn on its items', async () => {
  const next = uniform(11);
  const rows = Array.from({ length: 160 }, (_, i) => {
    const label = next() < 0.4 ? 1 : 0;
    const manufacturer = next() < 0.5 ? 'Acme' : 'Zeta';
    // Zeta's images are harder: its scores carry more noise.
    const noise = (next() - 0.5) * (manufacturer === 'Zeta' ? 2.4 : 0.8);
    const p1 = 1 / (1 + Math.exp(-((label ? 1 : -1) + noise)));
    const age = next() < 0.1 ? '' : `${String(20 + Math.floor(next() * 70)).padStart(3, '0')}Y`;
    const sex = next() < 0.5 ? 'F' : 'M';
    return { id: `case-${i}`, label, p1, manufacturer, age, sex };
  });
  writeFileSync(
    join(dir, 'truth.csv'),
    `id,label\n${rows.map((r) => `${r.id},${r.label ? 'lesion' : 'normal'}`).join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'pred.csv'),
    `id,label,p_normal,p_lesion\n${rows.map((r) => `${r.id},${r.p1 >= 0.5 ? 'lesion' : 'normal'},${1 - r.p1},${r.p1}`).join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'meta.csv'),
    `id,Manufacturer,PatientAge,PatientSex,site\n${rows.map((r) => `${r.id},${r.manufacturer},${r.age},${r.sex},one`).join('\n')}\n`,
  );
  const run = await runPhi(dir, [
    'metrics',
    '--task',
    'classification',
    '--truth',
    'truth.csv',
    '--pred',
    'pred.csv',
    '--subgroups',
    'meta.csv',
    '--by',
    'Manufacturer,PatientAge',
    '--bootstrap',
    '200',
    '--json',
  ]);
  expect(run.err).toBe('');
  const report = JSON.parse(run.out) as MetricsReport;
  expect(report.subgroups?.map((s) => s.attribute)).toEqual(['Manufacturer', 'PatientAge']);

  const reference = spawnSync(
    pythonWith(['numpy', 'sklearn'], 'python3-numpy python3-sklearn'),
    [
      '-c',
      `
import csv, json, sys
from sklearn.metrics import roc_auc_score, accuracy_score
rows = {r['id']: r for r in csv.DictReader(open('meta.csv'))}
pred = {r['id']: r for r in csv.DictReader(open('pred.csv'))}
truth = {r['id']: r['label'] for r in csv.DictReader(open('truth.csv'))}
def band(text):
    if not text: return 'not recorded'
    low = int(text[:-1]) // 10 * 10
    return f'{low}-{low + 9}'
out = {}
for attribute, group_of in [('Manufacturer', lambda r: r['Manufacturer']), ('PatientAge', lambda r: band(r['PatientAge']))]:
    groups = {}
    for i, r in rows.items(): groups.setdefault(group_of(r), []).append(i)
    out[attribute] = {}
    for g, ids in groups.items():
        y = [1 if truth[i] == 'lesion' else 0 for i in ids]
        p = [float(pred[i]['p_lesion']) for i in ids]
        yhat = [1 if pred[i]['label'] == 'lesion' else 0 for i in ids]
        out[attribute][g] = {'items': len(ids), 'positives': sum(y), 'accuracy': accuracy_score(y, yhat),
                             'auc': roc_auc_score(y, p) if 0 < sum(y) < len(y) else None}
print(json.dumps(out))
`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  expect(reference.stderr).toBe('');
  const expected = JSON.parse(reference.stdout) as Record<
    string,
    Record<string, { items: number; positives: number; accuracy: number; auc: number | null }>
  >;
  for (const { attribute, groups } of report.subgroups ?? []) {
    expect(groups.map((g) => g.value).sort()).toEqual(Object.keys(expected[attribute]).sort());
    for (const g of groups) {
      const want = expected[attribute][g.value];
      expect(g.items).toBe(want.items);
      expect(g.perClassItems).toEqual([want.items - want.positives, want.positives]);
      expect(g.overall.accuracy as number).toBeCloseTo(want.accuracy, 12);
      if (want.auc === null) expect(g.overall.auc).toBeNull();
      else expect(g.overall.auc as number).toBeCloseTo(want.auc, 12);
      expect(Array.isArray(g.overall.aucCI95)).toBe(want.auc !== null);
    }
  }
  // Age bands in age order, the missing ones last.
  const ages = report.subgroups?.[1].groups.map((g) => g.value) ?? [];
  expect(ages.at(-1)).toBe('not recorded');
  expect(ages.slice(0, -1)).toEqual([...ages.slice(0, -1)].sort((a, b) => parseInt(a) - parseInt(b)));
  // The harder manufacturer shows a lower AUC.
  const [acme, zeta] = report.subgroups?.[0].groups ?? [];
  expect(acme.overall.auc as number).toBeGreaterThan(zeta.overall.auc as number);

  const text = await runPhi(dir, [
    'metrics',
    '--task',
    'classification',
    '--truth',
    'truth.csv',
    '--pred',
    'pred.csv',
    '--subgroups',
    'meta.csv',
    '--by',
    'PatientSex',
    '--bootstrap',
    '0',
  ]);
  expect(text.out).toMatch(/^subgroups by PatientSex:$/m);
  expect(text.out).toMatch(/^ {2}F \(\d+ items: normal \d+, lesion \d+\): accuracy 0\.\d{4}/m);
  const missing = await runPhi(dir, [
    'metrics',
    '--task',
    'classification',
    '--truth',
    'truth.csv',
    '--pred',
    'pred.csv',
    '--subgroups',
    'meta.csv',
    '--by',
    'Scanner',
  ]);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/no column "Scanner"; it has Manufacturer, PatientAge, PatientSex, site/);
});
