import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectError, type ProjectErrorCode } from './errors';
import { sampleGraph, tempFolder } from './fixtures/sample-graph';
import { ProjectStore } from './project-store';

let tmp: ReturnType<typeof tempFolder>;
beforeEach(() => {
  tmp = tempFolder();
});
afterEach(() => tmp.remove());

/** Opens `path`, expecting a ProjectError with this code whose message names the file and matches `reason`. */
function expectOpenError(path: string, code: ProjectErrorCode, reason: RegExp): void {
  let error: unknown;
  try {
    ProjectStore.open(path).close();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ProjectError);
  expect((error as ProjectError).code).toBe(code);
  expect((error as ProjectError).path).toBe(path);
  expect((error as Error).message).toContain(path);
  expect((error as Error).message).toMatch(reason);
}

/** A closed project with some rows; its ~15 tables and indexes span more than 4 pages. */
function makeProject(file = 'p.phiproj'): string {
  const store = ProjectStore.create(join(tmp.dir, file), { graph: sampleGraph() });
  const run = store.startRun({ mode: 'all', seed: 1, appVersion: '0.1.0', nodeVersions: {} });
  for (let epoch = 1; epoch <= 20; epoch++) {
    store.recordEpoch(run, 'net', epoch, 'train', { loss: 1 / epoch, dice: [0.1, 0.2, 0.3, null] });
  }
  store.finishRun(run, 'done');
  store.close();
  return store.path;
}

/** Sets raw rows or pragmas in a project, as a damaged or foreign file would have them. */
function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

describe('opening what is not a usable project gives a readable error and changes nothing', () => {
  it('a missing file', () => {
    expectOpenError(join(tmp.dir, 'gone.phiproj'), 'not-found', /no such project file/);
  });

  it('a folder', () => {
    const dir = join(tmp.dir, 'folder.phiproj');
    mkdirSync(dir);
    expectOpenError(dir, 'not-a-project', /is a folder, not a Phi Studio project file/);
  });

  it.each([
    ['a text file', Buffer.from('name: my study\nimages: ./ct\n'.repeat(40))],
    [
      'a PNG',
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600, 7)]),
    ],
  ])('%s', (_name, bytes) => {
    const path = join(tmp.dir, 'x.phiproj');
    writeFileSync(path, bytes);
    expectOpenError(path, 'not-a-project', /is not a Phi Studio project \(not an SQLite database\)/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(existsSync(path + '-wal')).toBe(false);
  });

  it('an empty file', () => {
    const path = join(tmp.dir, 'empty.phiproj');
    writeFileSync(path, '');
    expectOpenError(path, 'not-a-project', /is not a Phi Studio project \(it is an empty SQLite database\)/);
    expect(statSync(path).size).toBe(0);
  });

  it("another application's SQLite database", () => {
    const path = join(tmp.dir, 'other.db');
    tamper(
      path,
      "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO patients VALUES (1, 'A');",
    );
    const before = readFileSync(path);
    expectOpenError(path, 'not-a-project', /it is an SQLite database of another application/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a project from a newer Phi Studio', () => {
    const path = makeProject();
    tamper(path, 'PRAGMA user_version = 99');
    expectOpenError(
      path,
      'too-new',
      /was saved by a newer Phi Studio \(project format 99; this version reads up to 5\)\. Update Phi Studio/,
    );
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(99);
    db.close();
  });

  it('a project with no format version', () => {
    const path = makeProject();
    tamper(path, 'PRAGMA user_version = 0');
    expectOpenError(path, 'damaged', /is damaged: it has no project format version/);
  });

  it('a project with a damaged page', () => {
    const path = makeProject();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    expect(bytes.length).toBeGreaterThan(pageSize * 4);
    // Overwrite pages 3 and 4 (b-tree pages of the schema's tables) with a fixed pattern.
    bytes.fill(0xa5, pageSize * 2, pageSize * 4);
    writeFileSync(path, bytes);
    expectOpenError(path, 'damaged', /is damaged|cannot be read/);
  });

  it('a project cut short (disk full while copying)', () => {
    const path = makeProject();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectOpenError(path, 'damaged', /is damaged/);
  });

  it('a project whose header was overwritten', () => {
    const path = makeProject();
    const bytes = readFileSync(path);
    bytes.fill(0, 0, 100);
    writeFileSync(path, bytes);
    expectOpenError(path, 'not-a-project', /not an SQLite database/);
  });

  it('a node whose params are not JSON, naming the node', () => {
    const path = makeProject();
    tamper(path, "UPDATE nodes SET params = '{width: 3' WHERE id = 'resize'");
    expectOpenError(path, 'invalid-content', /node "resize" params are not valid JSON/);
  });

  it('a node of an unknown kind, naming the node and the field', () => {
    const path = makeProject();
    tamper(path, "UPDATE nodes SET kind = 'widget' WHERE id = 'gray'");
    expectOpenError(path, 'invalid-content', /the saved pipeline is not valid: node "gray": kind: /);
  });

  it('params that are not an object, naming the node', () => {
    const path = makeProject();
    tamper(path, "UPDATE nodes SET params = '[1,2]' WHERE id = 'dataset'");
    expectOpenError(path, 'invalid-content', /node "dataset": params: /);
  });

  it('an edge pointing at a node that is gone (written with foreign keys off)', () => {
    const path = makeProject();
    tamper(path, "PRAGMA foreign_keys = OFF; DELETE FROM nodes WHERE id = 'gray';");
    expectOpenError(path, 'damaged', /is damaged: 1 saved row\(s\) refer to rows that are missing/);
  });
});
