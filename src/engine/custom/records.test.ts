import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustomModuleInfo } from '../api';
import { ProjectStore } from '../store';
import {
  deleteCustomModuleRecord,
  readCustomModules,
  saveCustomModuleRecord,
  versionToSave,
} from './records';

let dir: string;
let stores: ProjectStore[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-custom-records-'));
  stores = [];
});
afterEach(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function create(): ProjectStore {
  const store = ProjectStore.create(join(dir, 'study.phiproj'), { graph: { nodes: [], edges: [] } });
  stores.push(store);
  return store;
}

function reopen(store: ProjectStore): ProjectStore {
  store.close();
  const again = ProjectStore.open(store.path);
  stores.push(again);
  return again;
}

const window: CustomModuleInfo = {
  id: 'my-hu-window',
  title: 'HU window',
  category: 'CT tools',
  modality: 'CT',
  dims: '2d',
  description: 'Soft-tissue window',
  language: 'typescript',
  source: 'export default defineModule({ run(d) { return d; } });',
};

describe('custom module records', () => {
  it('round-trips save, read and delete through a real project file, bumping the version on source changes', () => {
    let store = create();
    expect(readCustomModules(store)).toEqual([]);
    expect(versionToSave(store, window)).toBe(1);
    expect(saveCustomModuleRecord(store, window)).toBe(1);
    expect(versionToSave(store, window)).toBe(1);
    expect(versionToSave(store, { ...window, source: 'changed' })).toBe(2);
    // Same source, new wizard fields: same version, fields updated.
    expect(saveCustomModuleRecord(store, { ...window, title: 'HU window (soft tissue)' })).toBe(1);
    const edited = { ...window, source: `${window.source}\n// v2` };
    expect(saveCustomModuleRecord(store, edited)).toBe(2);
    expect(
      saveCustomModuleRecord(store, { ...window, id: 'my-3d-smooth', title: 'Smooth', dims: '3d' }),
    ).toBe(1);
    store = reopen(store);
    const modules = readCustomModules(store);
    expect(modules).toEqual([
      {
        ...window,
        id: 'my-3d-smooth',
        title: 'Smooth',
        dims: '3d',
        trusted: true,
        version: 1,
        sourceHash: createHash('sha256').update(window.source).digest('hex'),
      },
      {
        ...edited,
        trusted: true,
        version: 2,
        sourceHash: createHash('sha256').update(edited.source).digest('hex'),
      },
    ]);
    // Every version is kept in the file; readCustomModules gives the latest.
    expect(
      store
        .customModules()
        .filter((r) => r.id === 'my-hu-window')
        .map((r) => r.version),
    ).toEqual([1, 2]);
    deleteCustomModuleRecord(store, 'my-hu-window');
    store = reopen(store);
    expect(readCustomModules(store).map((m) => m.id)).toEqual(['my-3d-smooth']);
    expect(store.customModules().some((r) => r.id === 'my-hu-window')).toBe(false);
  });

  it('refuses an invalid module info, and skips rows that are not valid custom modules', () => {
    const store = create();
    expect(() => saveCustomModuleRecord(store, { ...window, id: 'hu-window' })).toThrow(
      /starting with "my-"/,
    );
    store.saveCustomModule({ id: 'clahe', version: 1, language: 'typescript', source: 'x' });
    store.saveCustomModule({ id: 'my-old', version: 3, language: 'typescript', source: 'y' });
    // A row of schema version 2 has no wizard fields: the defaults of CustomModuleInfo apply.
    expect(readCustomModules(store)).toEqual([
      {
        id: 'my-old',
        title: 'my-old',
        category: 'My modules',
        modality: 'any',
        dims: '2d',
        description: '',
        language: 'typescript',
        source: 'y',
        trusted: false,
        version: 3,
        sourceHash: createHash('sha256').update('y').digest('hex'),
      },
    ]);
  });
});
