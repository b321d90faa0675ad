import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from './migrations';
import { ProjectStore } from './project-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-store-custom-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A project of schema version 2, made by the released steps 1 and 2, with one custom module. */
function writeV2Project(path: string): void {
  const db = new Database(path);
  db.pragma('application_id = 1349019953');
  db.pragma('journal_mode = WAL');
  migrations[0].up(db);
  migrations[1].up(db);
  db.exec(`
    INSERT INTO meta VALUES ('created_at', '2026-02-01T10:00:00.000Z'), ('title', 'v2 study');
    INSERT INTO custom_modules (id, version, language, source, trusted, updated_at)
      VALUES ('my-clip', 2, 'typescript', 'export default 2', 1, '2026-02-01T10:00:00.000Z');
  `);
  db.pragma('user_version = 2');
  db.close();
}

describe('custom modules in the store (schema version 3)', () => {
  it('upgrades a version 2 project: its custom modules stay, without wizard fields', () => {
    const path = join(dir, 'old.phiproj');
    writeV2Project(path);
    const store = ProjectStore.open(path);
    try {
      const [row] = store.customModules();
      expect(row).toMatchObject({ id: 'my-clip', version: 2, source: 'export default 2', trusted: true });
      expect(row.title).toBeUndefined();
      expect(row.dims).toBeUndefined();
      store.saveCustomModule({
        id: 'my-clip',
        version: 3,
        language: 'typescript',
        source: 'export default 3',
        title: 'Clip',
        category: 'CT',
        modality: 'CT',
        dims: '3d',
        description: 'Clips HU',
      });
    } finally {
      store.close();
    }
    const again = ProjectStore.open(path);
    try {
      expect(
        again.customModules().map((r) => [r.version, r.title, r.category, r.modality, r.dims, r.description]),
      ).toEqual([
        [2, undefined, undefined, undefined, undefined, undefined],
        [3, 'Clip', 'CT', 'CT', '3d', 'Clips HU'],
      ]);
      expect(again.deleteCustomModule('my-clip')).toBe(2);
      expect(again.deleteCustomModule('my-clip')).toBe(0);
      expect(again.customModules()).toEqual([]);
    } finally {
      again.close();
    }
  });
});
