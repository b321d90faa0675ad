/**
 * What the workbench PACS tests share: a temporary settings folder for the
 * profiles and secrets (with no keychain key, as in web mode), a profile of
 * the test Orthanc, synthetic studies uploaded to it, and an engine that ran a
 * project and holds the Orthanc profile.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PacsProfile } from '../api';
import { Engine } from '../service/engine';
import { writeSyntheticStudies, type SyntheticStudy } from './dicom-studies';
import type { Orthanc } from './orthanc';

/** Makes `folder` the user's settings folder of engines started from now on, here and in children. */
export function useSettingsFolder(folder: string): void {
  process.env.PHI_CONFIG_DIR = folder;
  delete process.env.PHI_SECRETS_KEY;
}

/** A DICOMweb profile of the test Orthanc with its user (the password is the profile's secret). */
export function orthancProfile(orthanc: Orthanc, name: string): PacsProfile {
  return {
    name,
    url: orthanc.dicomweb,
    ourAet: orthanc.ourAet,
    ourPort: orthanc.ourPort,
    auth: 'basic',
    user: orthanc.user,
    caFile: '',
  };
}

/** Writes `count` synthetic studies under `dir/originals` and uploads them to Orthanc. */
export async function uploadSyntheticStudies(
  orthanc: Orthanc,
  dir: string,
  count: number,
): Promise<SyntheticStudy[]> {
  const studies = writeSyntheticStudies(join(dir, 'originals'), count);
  for (const study of studies) await orthanc.upload(study.file);
  return studies;
}

/** An engine (cache under `dir`, seed 1) that opened and ran `project` and saved Orthanc's profile as "Orthanc". */
export async function ranWithOrthanc(dir: string, project: string, orthanc: Orthanc): Promise<Engine> {
  const engine = new Engine({ cacheDir: join(dir, 'cache'), seed: 1 });
  await engine.openProject({ path: project });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  await engine.savePacsProfile({ profile: orthancProfile(orthanc, 'Orthanc'), secret: orthanc.password });
  return engine;
}
