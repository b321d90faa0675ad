/**
 * The study report of a small trained project: `phi report` writes one HTML file whose
 * sections and figures are those of `getEvaluation`, that names nothing outside itself
 * and no dataset file, that Chromium opens without a single request, and that prints to PDF.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  figureRows,
  formatInterval,
  formatValue,
  subgroupRows,
  type EvaluationHistory,
} from '../src/engine/api';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { Engine } from '../src/engine/service/engine';
import { ProjectStore } from '../src/engine/store/project-store';
import { runPhi } from '../src/engine/test-support/cli-io';
import { GraphBuilder, tempDir, writeClassFolders } from '../src/engine/test-support/pipeline';
import { launchChromium } from './support/serve';

const dir = tempDir();
const project = join(dir, 'study.phiproj');
let browser: Browser;
let history: EvaluationHistory;

beforeAll(async () => {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data'), {
    classes: { benign: 20, malignant: 20 },
    size: [16, 16],
    channels: 1,
  });
  await writeClassFolders(join(dir, 'site-b'), {
    classes: { benign: 5, malignant: 6 },
    size: [16, 16],
    channels: 1,
  });
  // A site per item, given beside the data: the report's subgroup section reads it.
  const ids = ['benign', 'malignant'].flatMap((c) =>
    readdirSync(join(dir, 'data', c)).map((f) => `${c}/${f}`),
  );
  writeFileSync(
    join(dir, 'sites.csv'),
    `id,site\n${ids.map((id, i) => `${id},${i % 2 ? 'A' : 'B'}`).join('\n')}\n`,
  );
  ProjectStore.create(project, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        ['resize', 'resize', { width: 16, height: 16 }],
        [
          'net',
          'neural-network',
          {
            task: 'classification',
            epochs: 2,
            batchSize: 4,
            baseFilters: 4,
            depth: 1,
            subgroupFile: 'sites.csv',
          },
        ],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  await engine.openProject({ path: project });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  engine.closeProject();
  expect(
    (await runPhi(dir, ['evaluate', 'study.phiproj', '--node', 'net', '--dataset', 'site-b'])).code,
  ).toBe(0);
  await engine.openProject({ path: project });
  history = await engine.getEvaluation({ node: 'net' });
  engine.closeProject();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('writes one self-contained HTML report with the evaluation figures, and it prints to PDF', async () => {
  const out = join(dir, 'report.html');
  const written = await runPhi(dir, [
    'report',
    'study.phiproj',
    'report.html',
    '--intended-use',
    'Research only',
  ]);
  expect(written.err).toBe('');
  expect(written.code).toBe(0);
  const html = readFileSync(out, 'utf8');
  // Nothing outside the file: no URL, no source or stylesheet link, no CSS import; url() only to its own clip paths.
  expect(html).not.toMatch(/https?:|\bsrc=|<link|<script|@import|url\((?!#)/i);
  // De-identified: no dataset file or folder name of an item.
  expect(html).not.toMatch(/benign-\d|malignant-\d|\.png/);

  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${out}`);
  expect(requests).toEqual([`file://${out}`]);

  for (const id of [
    'n1',
    'n1-data',
    'n1-preprocessing',
    'n1-network',
    'n1-training',
    'n1-test',
    'n1-test-operating',
    'n1-test-calibration',
    'n1-test-subgroups',
    'n1-external-0',
    'limitations',
    'software',
    'checklist',
  ])
    expect(await page.locator(`[id="${id}"]`).count(), id).toBe(1);
  expect(await page.locator('#n1 table').innerText()).toContain('Research only');

  const test = history.test!;
  const rows = (label: string) =>
    page
      .locator(`table[aria-label="${label}"] tbody tr`)
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
  const testRows = await rows('Test split evaluation: figures');
  expect(testRows.map(([label, value, interval, items]) => [label, value, interval, items])).toEqual(
    figureRows(test).map((f) => [
      f.label,
      formatValue(f.value),
      `${formatInterval(f.interval)}${f.note ? ` (${f.note})` : ''}`,
      String(test.items),
    ]),
  );
  const auc = testRows.find(([label]) => label === 'ROC AUC');
  expect(auc?.[1]).toBe((test.study.overall.auc as number).toFixed(3));
  const external = history.external[0];
  const externalRows = await rows('External validation 1: figures');
  expect(externalRows[0][1]).toBe(formatValue(external.study.overall.auc as number));
  expect(externalRows[0][3]).toBe('11');
  const confusion = await page
    .locator('table[aria-label="Test split evaluation: confusion matrix"] tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))),
    );
  expect(confusion).toEqual(test.confusion);
  // The subgroup table is the stored study's, per site, with counts and intervals.
  const subgroups = await rows('Test split evaluation: subgroups');
  expect(test.subgroups?.map((s) => s.attribute)).toEqual(['site']);
  expect(subgroupRows(test).reduce((n, r) => n + r.items, 0)).toBe(test.items);
  expect(subgroups.map(([group, items]) => [group.replace(' (small)', ''), items.split(' ')[0]])).toEqual(
    subgroupRows(test).map((r) => [`site: ${r.value}`, String(r.items)]),
  );
  expect(subgroups.map((r) => r[2])).toEqual(
    subgroupRows(test).map(
      (r) => `${formatValue(r.figures[0].value)} ${formatInterval(r.figures[0].interval)}`,
    ),
  );
  // ROC, PR and reliability charts of the test split and the external folder, plus training curves.
  expect(await page.locator('#n1-test svg').count()).toBe(3);
  expect(await page.locator('#n1-training svg').count()).toBeGreaterThan(0);
  // The checklist lists what the project tells and leaves blanks for what only a person can.
  const checklist = await page.locator('#checklist').innerText();
  for (const item of ['Intended use', 'Reference standard', 'Annotators', 'Ethics approval'])
    expect(checklist).toContain(item);
  expect(await page.locator('#checklist .blank').count()).toBeGreaterThanOrEqual(4);
  // The intended use was given: its row points to the model card instead of a blank.
  const intended = page.locator('#checklist tr', { hasText: 'Intended use and clinical question' });
  expect(await intended.locator('a[href="#n1"]').innerText()).toBe('Model card');
  expect(await page.locator('#checklist a[href="#n1-test"]').count()).toBe(1);

  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  await page.close();
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
  expect(pages.length).toBeGreaterThanOrEqual(1);
});
