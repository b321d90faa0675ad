/**
 * PACS in the workbench, in Chromium at 1280x800 against a real Orthanc:
 * File > PACS servers… saves a profile (the password kept encrypted in the
 * user's settings, never in the project) and "Test connection" gives the
 * engine's verdict for a wrong and a right password; File > Import from
 * PACS… searches with filters, asks to confirm an import without filters
 * with the count, shows progress, and the studies arrive de-identified, with
 * the encrypted re-identification table kept once its passphrase is given;
 * importing again fetches nothing. Enter submits, Escape closes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SyntheticStudy } from '../src/engine/test-support/dicom-studies';
import { lookUp, openMapping } from '../src/engine/pacs/reidentify';
import { uploadSyntheticStudies, useSettingsFolder } from '../src/engine/test-support/pacs-workbench';
import { startOrthanc, type Orthanc } from '../src/engine/test-support/orthanc';
import { layoutProblems, openProject, type Session } from './support/browser-steps';
import { copyExample, tempFolder } from './support/serve';

let orthanc: Orthanc;
let studies: SyntheticStudy[];
let session: Session;
let page: Page;
const settings = tempFolder('phi-pacs-settings-');

beforeAll(async () => {
  orthanc = await startOrthanc();
  studies = await uploadSyntheticStudies(orthanc, settings, 6);
  // The served engine keeps profiles and secrets here, as a user's settings folder.
  useSettingsFolder(join(settings, 'config'));
  session = await openProject('phi-ui-pacs-', (dir) => copyExample(join(dir, 'example')), {
    width: 1280,
    height: 800,
  });
  page = session.page;
});

afterAll(async () => {
  await session?.close();
  await orthanc?.stop();
});

async function fileMenu(item: string): Promise<void> {
  await page.getByRole('button', { name: /^File/ }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

describe('PACS in the workbench', () => {
  it('saves a server profile with a tested connection; the password stays out of the project', async () => {
    await fileMenu('PACS servers…');
    const dialog = page.getByRole('dialog', { name: 'PACS servers' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('Hospital PACS');
    await dialog.getByLabel('URL').fill(orthanc.dicomweb);
    await dialog.getByLabel('Authentication').selectOption('basic');
    await dialog.getByLabel('User', { exact: true }).fill(orthanc.user);
    await dialog.getByLabel('Password', { exact: true }).fill('not-the-password');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const verdict = dialog.getByRole('status');
    await expect.poll(() => verdict.innerText()).toMatch(/refused the credentials \(HTTP 401\)/);
    await dialog.getByLabel('Password', { exact: true }).fill(orthanc.password);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => verdict.innerText())
      .toBe(`${orthanc.dicomweb} answers: a QIDO-RS study search with these credentials succeeded.`);
    expect(await layoutProblems(page, '[role="dialog"]')).toEqual([]);
    await session.shot('pacs-profiles');
    // Enter saves.
    await dialog.getByLabel('Password', { exact: true }).press('Enter');
    await dialog.getByRole('option', { name: 'Hospital PACS' }).waitFor();
    expect(await dialog.getByText(/encrypted in .*pacs-secrets\.json/).count()).toBe(1);
    const config = join(settings, 'config');
    expect(readFileSync(join(config, 'pacs-profiles.json'), 'utf8')).toContain('Hospital PACS');
    for (const file of readdirSync(config))
      expect(readFileSync(join(config, file), 'utf8')).not.toContain(orthanc.password);
    expect(readFileSync(join(session.dir, 'example', 'lesions.phiproj')).toString('latin1')).not.toContain(
      orthanc.password,
    );
    // Escape closes.
    await dialog.getByLabel('Name').press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('searches with filters, confirms an import without filters by its count, and imports de-identified', async () => {
    await fileMenu('Import from PACS…');
    const dialog = page.getByRole('dialog', { name: 'Import from PACS' });
    await dialog.waitFor();
    await expect.poll(() => dialog.getByLabel('Server').inputValue()).toBe('Hospital PACS');
    // Enter in a filter searches.
    await dialog.getByLabel('Accession number').fill(studies[2].accession);
    await dialog.getByLabel('Accession number').press('Enter');
    const found = dialog.getByTestId('pacs-found');
    await expect.poll(() => found.innerText()).toBe('1 study on Hospital PACS, 1 selected');
    const row = dialog.locator('tbody tr');
    expect(await row.first().innerText()).toMatch(
      new RegExp(
        `${studies[2].patientId}\\s+${studies[2].accession}\\s+${studies[2].date}\\s+CT\\s+CT ABDOMEN phantom\\s+1\\s+1`,
      ),
    );
    await dialog.getByLabel('Accession number').fill('');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => found.innerText()).toBe('6 studies on Hospital PACS (no filter), 6 selected');
    await dialog.getByLabel('Keep identifiers').check();
    await dialog.getByText(/will hold patient names/).waitFor();
    await dialog.getByLabel('Keep identifiers').uncheck();
    // The re-identification table needs its passphrase before Import is allowed.
    await dialog.getByLabel(/Keep a re-identification table/).check();
    const importButton = dialog.getByRole('button', { name: 'Import', exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    expect(await importButton.getAttribute('title')).toBe(
      'Give the passphrase of the re-identification table',
    );
    await dialog.getByLabel('Re-identification passphrase').fill('ward 7 passphrase');
    expect(await layoutProblems(page, '[role="dialog"]')).toEqual([]);
    await importButton.click();
    await expect
      .poll(() => dialog.getByTestId('pacs-confirm').innerText())
      .toMatch(/No filter was given: this imports all 6 of the 6 studies/);
    await session.shot('pacs-import-confirm');
    await dialog.getByRole('button', { name: 'Import all 6' }).click();
    const done = dialog.getByTestId('pacs-done');
    await expect
      .poll(() => done.innerText(), { timeout: 60_000 })
      .toMatch(
        /^6 studies, 6 instances in .*pacs-import: 6 fetched, 0 already there; identifiers removed; re-identification table in .*reidentification\.phimap\.$/,
      );
    expect(await dialog.getByTestId('pacs-progress').innerText()).toMatch(/6 of 6 instances/);
    await session.shot('pacs-import-done');
    const folder = join(session.dir, 'example', 'pacs-import');
    const files = (readdirSync(folder, { recursive: true }) as string[]).filter((f) => f.endsWith('.dcm'));
    expect(files.length).toBe(6);
    for (const file of files) {
      const bytes = readFileSync(join(folder, file)).toString('latin1');
      for (const s of studies) {
        expect(bytes).not.toContain(s.patientId);
        expect(bytes).not.toContain(s.accession);
        expect(bytes).not.toContain(s.studyUid);
      }
    }
    expect(existsSync(join(folder, 'pull.json'))).toBe(true);
    // The table maps every imported study back, and holds none of the identifiers in clear.
    const table = join(session.dir, 'example', 'reidentification.phimap');
    const tableBytes = readFileSync(table).toString('latin1');
    for (const s of studies) {
      expect(tableBytes).not.toContain(s.patientId);
      expect(tableBytes).not.toContain(s.studyUid);
    }
    const rows = openMapping(table, 'ward 7 passphrase');
    const imported = readdirSync(folder).filter((f) => f.startsWith('2.25.'));
    expect(imported.map((uid) => lookUp(rows, uid)[0]?.original).sort()).toEqual(
      studies.map((s) => s.studyUid).sort(),
    );
    // Importing again resumes: nothing is fetched twice.
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('button', { name: 'Import all 6' }).click();
    await expect.poll(() => done.innerText(), { timeout: 60_000 }).toMatch(/0 fetched, 6 already there/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('makes the Dataset node read a saved query, labelled by accession number, and refreshes it', async () => {
    const rows = studies.map((st) => `${st.accession},${st.label}`).join('\n');
    writeFileSync(join(session.dir, 'example', 'findings.csv'), `accession,finding\n${rows}\n`);
    await page.getByTestId('node-dataset').click();
    const panel = page.getByTestId('pacs-query');
    await panel.getByRole('button', { name: 'Use a PACS query…' }).click();
    await panel.getByLabel('modality').fill('CT');
    await panel.getByLabel('Label CSV').fill('findings.csv');
    await panel.getByLabel('Label column').fill('finding');
    await panel.getByLabel('Label column').press('Enter');
    const summary = page.getByTestId('pacs-query-summary');
    await expect
      .poll(() => summary.innerText())
      .toBe(
        'Hospital PACS: modality CT; copied into lesions.phidata/pacs/dataset; labels by accession (6 rows kept hashed: lesion, normal). Not refreshed yet.',
      );
    await panel.getByRole('button', { name: 'Refresh from PACS' }).click();
    await expect
      .poll(() => summary.innerText(), { timeout: 60_000 })
      .toMatch(/Last refresh .*: 6 studies found, 6 labelled, 0 without a label, 6 instances\.$/);
    await session.shot('pacs-query');
    const cache = join(session.dir, 'example', 'lesions.phidata', 'pacs', 'dataset');
    expect(readFileSync(join(cache, 'labels.csv'), 'utf8').trim().split('\n').length).toBe(7);
    // The node now reads the cache: its summary counts the six pulled slices, labelled from the CSV.
    const datasetSummary = page.getByRole('region', { name: 'Dataset summary' });
    await expect.poll(() => datasetSummary.innerText(), { timeout: 30_000 }).toMatch(/6 patients/);
    expect(await datasetSummary.innerText()).toMatch(/labels\.csv/);
    expect(session.pageErrors).toEqual([]);
  });
});
