import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleGraph, tempFolder } from './fixtures/sample-graph';
import { CURRENT_SCHEMA_VERSION, migrations } from './migrations';
import { ProjectStore } from './project-store';

/**
 * Frozen copy of the version 1 schema as released. Never edit it to follow
 * migrations.ts: it stands for the files users already have on disk.
 */
const V1_DDL = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    params TEXT NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    label TEXT
  );
  CREATE TABLE edges (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    source TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    target TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    target_port TEXT NOT NULL
  );
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    seed INTEGER NOT NULL,
    app_version TEXT NOT NULL,
    node_versions TEXT NOT NULL
  );
  CREATE TABLE epochs (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    node TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    split TEXT NOT NULL,
    metrics TEXT NOT NULL,
    PRIMARY KEY (run_id, node, epoch, split)
  );
  CREATE INDEX epochs_by_node ON epochs(node, run_id);
`;

/** Writes a version 1 project as the v1 app did, from the frozen DDL and literal rows. */
function writeV1Project(path: string): void {
  const db = new Database(path);
  db.pragma('application_id = 1349019953'); // 0x50686931, ASCII "Phi1"
  db.pragma('journal_mode = WAL');
  db.exec(V1_DDL);
  db.exec(`
    INSERT INTO meta VALUES ('created_at', '2026-01-05T10:00:00.000Z'), ('title', 'Old study');
    INSERT INTO nodes VALUES
      ('dataset', 1, 'dataset', 'dataset', 1, '{"path":"data/ct"}', 0, 0, NULL),
      ('resize', 2, 'module', 'resize', 1, '{"width":64,"height":64}', 200, 10, 'Small'),
      ('net', 3, 'network', 'network', 1, '{"epochs":3}', 400, 0, NULL);
    INSERT INTO edges VALUES
      ('e1', 1, 'dataset', 'resize', 'in'),
      ('e2', 2, 'resize', 'net', 'in');
    INSERT INTO settings VALUES ('sampleSize', '{"percent":10}');
    INSERT INTO runs VALUES
      ('r1', 'all', 'done', '2026-01-05T10:01:00.000Z', '2026-01-05T10:05:00.000Z', 42, '0.0.9', '{"resize":1}'),
      ('r2', 'all', 'running', '2026-01-06T09:00:00.000Z', NULL, 43, '0.0.9', '{"resize":1}');
    INSERT INTO epochs VALUES
      ('r1', 'net', 1, 'train', '{"loss":0.7,"accuracy":0.5}'),
      ('r1', 'net', 1, 'validation', '{"loss":0.8,"accuracy":null}'),
      ('r2', 'net', 1, 'train', '{"loss":0.6}');
  `);
  db.pragma('user_version = 1');
  db.close();
}

/** Tables and indexes of a file, whitespace folded (the frozen DDL is indented differently). */
function schemaOf(path: string): { name: string; sql: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string; sql: string }[];
    return rows.map((r) => ({ name: r.name, sql: r.sql.replace(/\s+/g, ' ').replace(/\( /g, '(') }));
  } finally {
    db.close();
  }
}

let tmp: ReturnType<typeof tempFolder>;
beforeEach(() => {
  tmp = tempFolder();
});
afterEach(() => tmp.remove());

describe('migrations', () => {
  it('are numbered 1, 2, ... without gaps, and the current version is the last', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(CURRENT_SCHEMA_VERSION).toBe(migrations.length);
    expect(CURRENT_SCHEMA_VERSION).toBe(5);
  });

  it('step 1 still creates exactly the released v1 schema (a released step is never edited)', () => {
    const frozen = join(tmp.dir, 'frozen.db');
    const fromStep = join(tmp.dir, 'step.db');
    const a = new Database(frozen);
    a.exec(V1_DDL);
    a.close();
    const b = new Database(fromStep);
    migrations[0].up(b);
    b.close();
    expect(schemaOf(fromStep)).toEqual(schemaOf(frozen));
    expect(schemaOf(frozen).map((t) => t.name)).toEqual([
      'edges',
      'epochs',
      'epochs_by_node',
      'meta',
      'nodes',
      'runs',
      'settings',
    ]);
  });

  it('opens a v1 project: keeps every row, fills the new tables, marks its dead run interrupted', () => {
    const path = join(tmp.dir, 'old.phiproj');
    writeV1Project(path);
    const store = ProjectStore.open(path);
    try {
      expect(store.title).toBe('Old study');
      expect(store.graph()).toEqual({
        nodes: [
          {
            id: 'dataset',
            kind: 'dataset',
            type: 'dataset',
            version: 1,
            params: { path: 'data/ct' },
            position: { x: 0, y: 0 },
          },
          {
            id: 'resize',
            kind: 'module',
            type: 'resize',
            version: 1,
            params: { width: 64, height: 64 },
            position: { x: 200, y: 10 },
            label: 'Small',
          },
          {
            id: 'net',
            kind: 'network',
            type: 'network',
            version: 1,
            params: { epochs: 3 },
            position: { x: 400, y: 0 },
          },
        ],
        edges: [
          { id: 'e1', source: 'dataset', target: 'resize', targetPort: 'in' },
          { id: 'e2', source: 'resize', target: 'net', targetPort: 'in' },
        ],
      });
      expect(store.getSetting('sampleSize')).toEqual({ percent: 10 });
      expect(store.runs()).toEqual([
        {
          id: 'r1',
          mode: 'all',
          status: 'done',
          startedAt: '2026-01-05T10:01:00.000Z',
          finishedAt: '2026-01-05T10:05:00.000Z',
          seed: 42,
          appVersion: '0.0.9',
          nodeVersions: { resize: 1 },
        },
        // A v1 run has no owner process stamped: still `running` on open means it was killed.
        {
          id: 'r2',
          mode: 'all',
          status: 'interrupted',
          startedAt: '2026-01-06T09:00:00.000Z',
          seed: 43,
          appVersion: '0.0.9',
          nodeVersions: { resize: 1 },
        },
      ]);
      expect(store.epochs('net', 'r1').map((e) => [e.epoch, e.split, e.metrics])).toEqual([
        [1, 'train', { loss: 0.7, accuracy: 0.5 }],
        [1, 'validation', { loss: 0.8, accuracy: null }],
      ]);
      expect(store.epochs('net').map((e) => e.runId)).toEqual(['r2']);
      // The v2 tables work on the migrated file.
      expect(store.recordNodeResult('resize', { cacheKey: 'k', state: 'done', shape: [64, 64, 1] })).toBe(
        true,
      );
      store.recordArtifact('net', 'weights', 'net/w.bin');
      const run = store.startRun({
        mode: 'sample',
        seed: 1,
        appVersion: '0.1.0',
        nodeVersions: {},
        backend: 'cpu',
      });
      store.finishRun(run, 'done');
      expect(store.runs().at(-1)).toMatchObject({ id: run, backend: 'cpu', status: 'done' });
    } finally {
      store.close();
    }

    // Same schema as a project created by this version: the migration path and a fresh file agree.
    const fresh = ProjectStore.create(join(tmp.dir, 'fresh.phiproj'), { graph: sampleGraph() });
    fresh.close();
    expect(schemaOf(path)).toEqual(schemaOf(fresh.path));

    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(5);
      expect(db.prepare('SELECT version, description FROM schema_history ORDER BY version').all()).toEqual([
        { version: 2, description: migrations[1].description },
        { version: 3, description: migrations[2].description },
        { version: 4, description: migrations[3].description },
        { version: 5, description: migrations[4].description },
      ]);
    } finally {
      db.close();
    }
  });

  it('opens a v4 project: per-volume figures kept as keys of the test row move to their own table', () => {
    const path = join(tmp.dir, 'v4.phiproj');
    writeV1Project(path);
    const db = new Database(path);
    db.transaction(() => migrations.slice(1, 4).forEach((step) => step.up(db)))();
    db.pragma('user_version = 4');
    // As the v4 app wrote them: `volume ["<item id>","<figure>"]`, JSON-encoded, beside the split's figures.
    const insert = db.prepare("INSERT INTO epochs VALUES ('r1', ?, 0, 'test', ?)");
    insert.run(
      'net',
      JSON.stringify({
        mae: 4.4,
        confusion: [],
        items: 2,
        sourceGeometry: 1,
        'volume ["a.nii.gz","mae"]': 2,
        'volume ["a.nii.gz","psnr"]': null,
        'volume ["sub \\"dir\\"/b c ü.nii.gz","mae"]': 6.8,
        'volume ["sub \\"dir\\"/b c ü.nii.gz","psnr"]': 21.5,
      }),
    );
    insert.run('cls', '{"accuracy":0.75,"confusion":[3,1,0,4],"items":8}');
    db.close();

    const store = ProjectStore.open(path);
    try {
      expect(store.epochs('net', 'r1').find((e) => e.split === 'test')?.metrics).toEqual({
        mae: 4.4,
        confusion: [],
        items: 2,
        sourceGeometry: 1,
      });
      expect(store.volumeFigures('r1', 'net')).toEqual([
        { id: 'a.nii.gz', figures: { mae: 2, psnr: null } },
        { id: 'sub "dir"/b c ü.nii.gz', figures: { mae: 6.8, psnr: 21.5 } },
      ]);
      expect(store.epochs('net', 'r1').filter((e) => e.split !== 'test')).toHaveLength(2);
      expect(store.epochs('cls', 'r1')[0].metrics).toEqual({
        accuracy: 0.75,
        confusion: [3, 1, 0, 4],
        items: 8,
      });
      expect(store.volumeFigures('r1', 'cls')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('keeps a backup of the v1 file before migrating it', () => {
    const path = join(tmp.dir, 'old.phiproj');
    writeV1Project(path);
    ProjectStore.open(path).close();
    const backup = `${path}.v1.bak`;
    expect(existsSync(backup)).toBe(true);
    const db = new Database(backup, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(db.prepare('SELECT count(*) AS n FROM nodes').get()).toEqual({ n: 3 });
      expect(db.prepare("SELECT status FROM runs WHERE id = 'r2'").get()).toEqual({ status: 'running' });
    } finally {
      db.close();
    }
  });

  it('rolls a failing migration back completely', () => {
    const path = join(tmp.dir, 'old.phiproj');
    writeV1Project(path);
    // A v1 file that already has a table the v2 step creates: the step fails half-way.
    const db = new Database(path);
    db.exec('CREATE TABLE artifacts (x TEXT)');
    db.close();
    expect(() => ProjectStore.open(path)).toThrow(
      /old\.phiproj could not be upgraded from project format 1 to 5 \(table artifacts already exists\); the file is unchanged/,
    );
    const after = new Database(path, { readonly: true });
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(1);
      const columns = (after.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name);
      expect(columns).not.toContain('backend');
      expect(
        after.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'node_results'").get(),
      ).toEqual({
        n: 0,
      });
    } finally {
      after.close();
    }
  });
});
