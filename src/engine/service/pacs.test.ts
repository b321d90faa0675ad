/**
 * The workbench's PACS channel against a real Orthanc: profiles in the user's
 * settings with the secret encrypted apart, the test connection's verdicts,
 * the study search with its filters and counts, an import with progress,
 * resume and cancel, and a Dataset node over a saved query whose labels are
 * keyed by accession number, trained by `phi run`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsProfile } from '../api';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';
import { PacsProfileStore } from './pacs-profiles';
import { runPhi } from '../test-support/cli-io';
import type { SyntheticStudy } from '../test-support/dicom-studies';
import { orthancProfile, uploadSyntheticStudies, useSettingsFolder } from '../test-support/pacs-workbench';
import { startOrthanc, type Orthanc } from '../test-support/orthanc';
import { EventLog, GraphBuilder, tempDir } from '../test-support/pipeline';
import { ProjectStore } from '../store/project-store';
import { lookUp, openMapping } from '../pacs/reidentify';

let orthanc: Orthanc;
let dir: string;
let studies: SyntheticStudy[];
let engine: Engine;
const events = new EventLog();
let web: PacsProfile;
let dimse: PacsProfile;

beforeAll(async () => {
  dir = tempDir('phi-pacs-service-');
  useSettingsFolder(join(dir, 'settings'));
  orthanc = await startOrthanc();
  studies = await uploadSyntheticStudies(orthanc, dir, 16);
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry: createBuiltinRegistry(), seed: 3 });
  engine.onDidEmit(events.listener);
  web = orthancProfile(orthanc, 'Test Orthanc (web)');
  const [, dicomPort] = /:(\d+)$/.exec(orthanc.dimse) ?? [];
  dimse = {
    ...web,
    name: 'Test Orthanc (DIMSE)',
    url: `dicom://ORTHANC@127.0.0.1:${dicomPort}`,
    auth: 'none',
  };
});

afterAll(async () => {
  engine?.closeProject();
  await orthanc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PACS profiles', () => {
  it('keeps profiles in the user settings and the password only encrypted', async () => {
    const saved = await engine.savePacsProfile({ profile: web, secret: orthanc.password });
    await engine.savePacsProfile({ profile: dimse });
    expect(saved.profiles.map((p) => [p.name, p.hasSecret])).toEqual([[web.name, true]]);
    const listed = await engine.listPacsProfiles();
    expect(listed.profiles.map((p) => p.name).sort()).toEqual([dimse.name, web.name].sort());
    expect(listed.secretStore).toMatch(
      /encrypted in .*pacs-secrets\.json with a key kept in pacs-secrets\.key/,
    );
    const settings = join(dir, 'settings');
    for (const file of readdirSync(settings))
      expect(readFileSync(join(settings, file), 'utf8')).not.toContain(orthanc.password);
    expect(readFileSync(join(settings, 'pacs-profiles.json'), 'utf8')).toContain(orthanc.dicomweb);
  });

  it('refuses a profile file that is not a profile list with a sentence naming it', () => {
    const broken = join(dir, 'broken-settings');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'pacs-profiles.json'), '{"name": "half a file"');
    expect(() => new PacsProfileStore(broken).list()).toThrow(
      `${join(broken, 'pacs-profiles.json')} is not a list of PACS profiles: correct it, or remove it to start again.`,
    );
  });

  it('tests a connection with a verdict sentence, over DICOMweb and DIMSE', async () => {
    expect(await engine.testPacsConnection({ profile: web })).toEqual({
      ok: true,
      message: `${orthanc.dicomweb} answers: a QIDO-RS study search with these credentials succeeded.`,
    });
    const wrong = await engine.testPacsConnection({ profile: web, secret: 'not-the-password' });
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/refused the credentials \(HTTP 401\)/);
    const echo = await engine.testPacsConnection({ profile: dimse });
    expect(echo).toEqual({
      ok: true,
      message: expect.stringMatching(/C-ECHO from our AE title "PHI" succeeded/),
    });
    const stranger = await engine.testPacsConnection({ profile: { ...dimse, ourAet: 'STRANGER' } });
    expect(stranger.ok).toBe(false);
    expect(stranger.message).toMatch(/rejected our AE title "STRANGER"/);
  });
});

describe('search and import', () => {
  it('finds studies by patient, accession, dates, modality and description, with counts', async () => {
    for (const profile of [web.name, dimse.name]) {
      const all = await engine.searchPacs({ profile, filters: {} });
      expect(all.filtered).toBe(false);
      expect(all.studies.length).toBe(16);
      const one = await engine.searchPacs({ profile, filters: { accession: 'ACC1003' } });
      expect(one.studies.map((s) => [s.patientId, s.uid, s.series, s.instances, s.modalities])).toEqual([
        ['PAT003', studies[3].studyUid, 1, 1, 'CT'],
      ]);
      const byPatient = await engine.searchPacs({ profile, filters: { patient: 'PAT005', modality: 'ct' } });
      expect(byPatient.studies.map((s) => s.accession)).toEqual(['ACC1005']);
      const range = await engine.searchPacs({
        profile,
        filters: { dateFrom: '20240102', dateTo: '20240104' },
      });
      expect(range.studies.map((s) => s.date)).toEqual(['20240102', '20240103', '20240104']);
      expect((await engine.searchPacs({ profile, filters: { description: 'abdomen' } })).studies.length).toBe(
        16,
      );
      expect((await engine.searchPacs({ profile, filters: { modality: 'MR' } })).studies.length).toBe(0);
    }
  });

  it('imports chosen studies de-identified with progress, resumes, and stops on cancel', async () => {
    const folder = join(dir, 'imported');
    const chosen = studies.slice(0, 3).map((s) => s.studyUid);
    events.clear();
    const first = await engine.importFromPacs({ profile: web.name, studies: chosen, folder });
    expect(first).toMatchObject({
      studies: 3,
      instances: 3,
      fetched: 3,
      alreadyPresent: 0,
      identifiers: 'removed',
    });
    const progress = events.of('pacs-progress').filter((e) => e.operation === 'import');
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3 });
    const files = (readdirSync(folder, { recursive: true }) as string[]).filter((f) => f.endsWith('.dcm'));
    expect(files.length).toBe(3);
    for (const file of files) {
      const bytes = readFileSync(join(folder, file)).toString('latin1');
      expect(bytes).not.toContain('PAT00');
      expect(bytes).not.toContain('ACC100');
      for (const s of studies.slice(0, 3)) expect(bytes).not.toContain(s.studyUid);
    }
    const again = await engine.importFromPacs({ profile: dimse.name, studies: chosen, folder });
    expect(again).toMatchObject({ fetched: 0, alreadyPresent: 3 });

    const cancelled = new AbortController();
    cancelled.abort();
    await expect(
      engine.importFromPacs(
        { profile: web.name, studies: [studies[4].studyUid], folder },
        { signal: cancelled.signal },
      ),
    ).rejects.toThrow('Cancelled');
    // Cancelled after its first instance: what arrived stays, and the next import fetches the rest.
    const interrupted = join(dir, 'interrupted');
    const all = studies.map((s) => s.studyUid);
    const stop = new AbortController();
    const stopAtFirst = engine.onDidEmit((e) => {
      if (e.type === 'pacs-progress' && / 1\/1 fetched$/.test(e.message)) stop.abort();
    });
    await expect(
      engine.importFromPacs(
        { profile: web.name, studies: all, folder: interrupted },
        { signal: stop.signal },
      ),
    ).rejects.toThrow('Cancelled');
    stopAtFirst();
    const arrived = (readdirSync(interrupted, { recursive: true }) as string[]).filter((f) =>
      f.endsWith('.dcm'),
    );
    expect(arrived.length).toBeGreaterThanOrEqual(1);
    expect(arrived.length).toBeLessThan(16);
    const resumed = await engine.importFromPacs({ profile: web.name, studies: all, folder: interrupted });
    expect(resumed).toMatchObject({
      studies: 16,
      fetched: 16 - arrived.length,
      alreadyPresent: arrived.length,
    });

    const kept = await engine.importFromPacs({
      profile: web.name,
      studies: [studies[4].studyUid],
      folder: join(dir, 'as-sent'),
      keepIdentifiers: true,
    });
    expect(kept.identifiers).toBe('kept');
  });

  it('keeps the encrypted re-identification table when asked, over two imports; a wrong passphrase imports nothing', async () => {
    const folder = join(dir, 'mapped');
    const mapping = { file: join(dir, 'mapped.phimap'), passphrase: 'a long passphrase' };
    const chosen = [studies[6], studies[7]];
    for (const study of chosen) {
      const result = await engine.importFromPacs({
        profile: web.name,
        studies: [study.studyUid],
        folder,
        mapping,
      });
      expect(result).toMatchObject({ fetched: 1, mappingFile: mapping.file });
    }
    const bytes = readFileSync(mapping.file).toString('latin1');
    for (const study of chosen) {
      expect(bytes).not.toContain(study.studyUid);
      expect(bytes).not.toContain(study.patientId);
    }
    const rows = openMapping(mapping.file, mapping.passphrase);
    // Each study folder's name is the new study UID; the table maps it back to the chosen one.
    const pulledStudies = readdirSync(folder).filter((f) => f.startsWith('2.25.'));
    expect(pulledStudies).toHaveLength(2);
    expect(
      pulledStudies.map((uid) => lookUp(rows, uid).find((r) => r.kind === 'study')?.original).sort(),
    ).toEqual(chosen.map((s) => s.studyUid).sort());
    expect(lookUp(rows, chosen[0].patientId).map((r) => r.kind)).toEqual(['patient']);

    await expect(
      engine.importFromPacs({
        profile: web.name,
        studies: [studies[8].studyUid],
        folder: join(dir, 'wrong-passphrase'),
        mapping: { ...mapping, passphrase: 'another passphrase' },
      }),
    ).rejects.toThrow(`The passphrase does not open ${mapping.file}`);
    const none = existsSync(join(dir, 'wrong-passphrase'))
      ? (readdirSync(join(dir, 'wrong-passphrase'), { recursive: true }) as string[])
      : [];
    expect(none.filter((f) => f.endsWith('.dcm'))).toEqual([]);
  });
});

describe('a Dataset node over a saved PACS query', () => {
  it('refuses a label CSV without the named column, or with two labels for one key, naming the problem', async () => {
    const project = join(dir, 'labels', 'labels.phiproj');
    mkdirSync(join(dir, 'labels'), { recursive: true });
    ProjectStore.create(project, {
      graph: new GraphBuilder(createBuiltinRegistry()).chain(['data', 'dataset', {}]).build(),
    }).close();
    writeFileSync(join(dir, 'labels', 'twice.csv'), 'acc,finding\nACC1000,lesion\nACC1000,normal\n');
    await engine.openProject({ path: project });
    const labels = {
      file: 'twice.csv',
      keyColumn: 'accession',
      keyKind: 'accession',
      labelColumn: 'finding',
    } as const;
    await expect(
      engine.setPacsDatasetSource({ node: 'data', profile: web.name, filters: {}, labels }),
    ).rejects.toThrow(/twice\.csv has no column "accession": its columns are "acc", "finding"\./);
    await expect(
      engine.setPacsDatasetSource({
        node: 'data',
        profile: web.name,
        filters: {},
        labels: { ...labels, keyColumn: 'acc' },
      }),
    ).rejects.toThrow(/twice\.csv gives acc "ACC1000" two labels: "lesion" and "normal"\./);
    await expect(engine.refreshPacsDataset({ node: 'data' })).rejects.toThrow(
      'Dataset node "data" has no saved PACS query: set one with "Use a PACS query…" in its Parameter tab.',
    );
    engine.closeProject();
  });

  it('pulls the labelled studies, keeps the label keys hashed, and trains from phi run', async () => {
    const project = join(dir, 'query', 'query.phiproj');
    mkdirSync(join(dir, 'query'), { recursive: true });
    const registry = createBuiltinRegistry();
    ProjectStore.create(project, {
      graph: new GraphBuilder(registry)
        .chain(
          ['data', 'dataset', { path: '', splitByPatient: true, train: 50, validation: 25, test: 25 }],
          ['resize', 'resize', { width: 32, height: 32 }],
          [
            'net',
            'neural-network',
            { task: 'classification', epochs: 3, batchSize: 4, baseFilters: 4, depth: 1 },
          ],
        )
        .build(),
    }).close();
    // The hospital's list: accession number and finding; one study of the query has no row.
    const rows = studies.slice(0, 15).map((s) => `${s.accession},${s.label}`);
    writeFileSync(
      join(dir, 'query', 'findings.csv'),
      `accession,finding\n${rows.join('\n')}\nACC9999,normal\n`,
    );
    await engine.openProject({ path: project });
    const source = await engine.setPacsDatasetSource({
      node: 'data',
      profile: web.name,
      filters: { modality: 'CT', description: 'phantom' },
      labels: { file: 'findings.csv', keyColumn: 'accession', keyKind: 'accession', labelColumn: 'finding' },
    });
    expect(source).toMatchObject({
      folder: 'query.phidata/pacs/data',
      labels: { keyKind: 'accession', rows: 16, classes: ['lesion', 'normal'] },
    });
    const refreshed = await engine.refreshPacsDataset({ node: 'data' });
    expect(refreshed.refreshed).toMatchObject({ studies: 16, labelled: 15, unlabelled: 1, instances: 15 });
    const cache = join(dir, 'query', 'query.phidata', 'pacs', 'data');
    const labels = readFileSync(join(cache, 'labels.csv'), 'utf8').trim().split('\n');
    expect(labels.length).toBe(16);
    expect(labels[1]).toMatch(/^2\.25\.\d+\/2\.25\.\d+\/2\.25\.\d+\.dcm,(lesion|normal)$/);
    expect(existsSync(join(cache, '.pull.json'))).toBe(true);
    // A second refresh finds everything here already.
    events.clear();
    await engine.refreshPacsDataset({ node: 'data' });
    expect(events.of('pacs-progress').at(-1)).toMatchObject({
      operation: 'refresh:data',
      done: 15,
      total: 15,
    });
    engine.closeProject();
    // No accession number or patient ID is kept in the project.
    const stored = readFileSync(project).toString('latin1');
    for (const s of studies) {
      expect(stored).not.toContain(s.accession);
      expect(stored).not.toContain(s.patientId);
    }
    const run = await runPhi(join(dir, 'query'), ['run', 'query.phiproj']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/net epoch 3 validation: loss=/);
    expect(run.out).toMatch(/net test \(\d+ items\)/);
    expect(run.out).toMatch(/confusion \(rows true, columns predicted; lesion, normal\)/);
    expect(run.out).toMatch(/data +\[32, 32, 1\] grayscale float32 x15/);
  });
});
