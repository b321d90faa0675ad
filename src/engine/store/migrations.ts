/**
 * The schema of a `.phiproj`, as one ordered list of steps. A new project runs
 * every step; an older project runs the steps above its `user_version`, all in
 * one transaction, so a migration is either fully applied or not at all.
 *
 * Rule: a step, once released, is never edited. A change to the schema is a new
 * step appended at the end (docs/store.md).
 */
import type Database from 'better-sqlite3';

/** One schema step: brings a database from `version - 1` to `version`. */
export interface Migration {
  version: number;
  /** What the step adds, for the history table and the docs. */
  description: string;
  up(db: Database.Database): void;
}

/** Every schema step, in order; versions are 1, 2, 3... without gaps. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'graph, settings, runs and per-epoch metrics',
    up(db) {
      db.exec(`
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
      `);
    },
  },
  {
    version: 2,
    description:
      'run backend, dataset hash and owner process; node results; artifacts index; custom modules; network specs; tuning trials; schema history',
    up(db) {
      db.exec(`
        ALTER TABLE runs ADD COLUMN backend TEXT;
        ALTER TABLE runs ADD COLUMN dataset_hash TEXT;
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN host TEXT;
        CREATE TABLE schema_history (
          version INTEGER PRIMARY KEY,
          description TEXT NOT NULL,
          applied_at TEXT NOT NULL
        );
        CREATE TABLE node_results (
          node TEXT PRIMARY KEY,
          cache_key TEXT NOT NULL,
          shape TEXT,
          color_mode TEXT,
          dtype TEXT,
          count INTEGER,
          state TEXT NOT NULL,
          message TEXT,
          updated_at TEXT NOT NULL
        );
        CREATE TABLE artifacts (
          node TEXT NOT NULL,
          kind TEXT NOT NULL,
          rel_path TEXT NOT NULL,
          meta TEXT,
          created_at TEXT NOT NULL,
          PRIMARY KEY (node, kind, rel_path)
        );
        CREATE TABLE custom_modules (
          id TEXT NOT NULL,
          version INTEGER NOT NULL,
          language TEXT NOT NULL,
          source TEXT NOT NULL,
          trusted INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1)),
          updated_at TEXT NOT NULL,
          PRIMARY KEY (id, version)
        );
        CREATE TABLE network_specs (
          id TEXT NOT NULL,
          version INTEGER NOT NULL,
          json TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (id, version)
        );
        CREATE TABLE tuning_trials (
          id TEXT PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          params TEXT NOT NULL,
          metrics TEXT,
          created_at TEXT NOT NULL
        );
        CREATE INDEX tuning_trials_by_run ON tuning_trials(run_id, seq);
      `);
    },
  },
  {
    version: 3,
    description: 'custom module info from the wizard: title, category, modality, dims, description',
    up(db) {
      // Nullable: rows saved by version 2 have none; readers fall back to the id and defaults.
      db.exec(`
        ALTER TABLE custom_modules ADD COLUMN title TEXT;
        ALTER TABLE custom_modules ADD COLUMN category TEXT;
        ALTER TABLE custom_modules ADD COLUMN modality TEXT;
        ALTER TABLE custom_modules ADD COLUMN dims TEXT;
        ALTER TABLE custom_modules ADD COLUMN description TEXT;
      `);
    },
  },
  {
    version: 4,
    description:
      'evaluation runs: the study report of a network node on its test split or an external folder',
    up(db) {
      db.exec(`
        CREATE TABLE evaluations (
          id TEXT PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          node TEXT NOT NULL,
          source TEXT NOT NULL CHECK (source IN ('test', 'external')),
          dataset TEXT,
          report TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX evaluations_by_node ON evaluations(node, created_at);
      `);
    },
  },
  {
    version: 5,
    description:
      "per-volume test figures of 3-D networks in a table of their own, out of the test rows' metrics",
    up(db) {
      // The primary key's index serves the reads, which are by run and node.
      db.exec(`
        CREATE TABLE volume_figures (
          run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          node TEXT NOT NULL,
          item TEXT NOT NULL,
          figure TEXT NOT NULL,
          value REAL,
          PRIMARY KEY (run_id, node, item, figure)
        );
      `);
      moveVolumeKeysOutOfTestRows(db);
    },
  },
];

/**
 * Version 4 kept each per-volume figure as a key `volume ["<item id>","<figure>"]` of the test
 * row's metrics; they move to `volume_figures` in the order they were written.
 */
function moveVolumeKeysOutOfTestRows(db: Database.Database): void {
  const prefix = 'volume ';
  const rows = db
    .prepare(
      `SELECT rowid, run_id, node, metrics FROM epochs
       WHERE split = 'test' AND instr(metrics, '"volume [') > 0 ORDER BY rowid`,
    )
    .all() as { rowid: number; run_id: string; node: string; metrics: string }[];
  const insert = db.prepare(
    'INSERT OR REPLACE INTO volume_figures (run_id, node, item, figure, value) VALUES (?, ?, ?, ?, ?)',
  );
  const update = db.prepare('UPDATE epochs SET metrics = ? WHERE rowid = ?');
  for (const row of rows) {
    const metrics = JSON.parse(row.metrics) as Record<string, unknown>;
    for (const [key, value] of Object.entries(metrics)) {
      if (!key.startsWith(prefix)) continue;
      const [item, figure] = JSON.parse(key.slice(prefix.length)) as [string, string];
      insert.run(row.run_id, row.node, item, figure, typeof value === 'number' ? value : null);
      delete metrics[key];
    }
    update.run(JSON.stringify(metrics), row.rowid);
  }
}

/** The schema version this code writes and reads. */
export const CURRENT_SCHEMA_VERSION = migrations[migrations.length - 1].version;

/**
 * Brings `db` from its `user_version` to {@link CURRENT_SCHEMA_VERSION} in one
 * transaction and logs the applied steps. Returns the version it started from.
 * The caller has already refused versions above the current one.
 */
export function migrate(db: Database.Database, now: () => string = () => new Date().toISOString()): number {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from >= CURRENT_SCHEMA_VERSION) return from;
  db.transaction(() => {
    const applied: Migration[] = [];
    for (const step of migrations) {
      if (step.version <= from) continue;
      step.up(db);
      applied.push(step);
    }
    // schema_history exists from v2 on, i.e. after any migration to the current version.
    const log = db.prepare(
      'INSERT OR REPLACE INTO schema_history (version, description, applied_at) VALUES (?, ?, ?)',
    );
    for (const step of applied) log.run(step.version, step.description, now());
    // user_version is part of the database header, so it commits (or rolls back) with the steps.
    db.pragma(`user_version = ${CURRENT_SCHEMA_VERSION}`);
  })();
  return from;
}
