/**
 * A `.phiproj` project: one SQLite file (WAL, foreign keys, synchronous=FULL)
 * holding the graph, settings, runs, metrics and an index of artifacts; pixels,
 * weights and checkpoints live as files in `<name>.phidata/` beside it
 * (docs/design.md section 8). Every write is one transaction, so a killed process
 * leaves the last committed state. Decisions are recorded in docs/store.md.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EpochMetricsSchema, type EpochMetrics } from '../api/events';
import type { z } from 'zod';
import type { Graph, GraphEditSchema } from '../api/graph';
import type { NodeUpgrade } from '../api/requests';
import type { VolumeFigureRow } from '../api/volume-figures';
import { isNoSpace } from '../run/disk-full';
import { ProjectError } from './errors';
import { checkProjectFile, describeSqliteFailure } from './file-checks';
import { applyEdits, checkGraph, hasNode, readGraph, writeGraph } from './graph-table';
import { currentOwner, markEnded, markLive, ownerIsAlive } from './liveness';
import { CURRENT_SCHEMA_VERSION, migrate } from './migrations';
import { upgradeStoredNodes, type NodeTypeLookup } from './node-upgrades';
import { readVolumeFigures, writeVolumeFigures } from './volume-figures';
import type {
  ArtifactRecord,
  CustomModuleRecord,
  EpochRecord,
  EvaluationRow,
  NetworkSpecRecord,
  NodeResult,
  RunInfo,
  RunRecord,
  TuningTrialRecord,
} from './records';
import { ARTIFACTS_SUFFIX, PHI_APPLICATION_ID, PROJECT_EXTENSION, type StoredRunStatus } from './schema';

interface RunRow {
  id: string;
  mode: string;
  status: StoredRunStatus;
  started_at: string;
  finished_at: string | null;
  backend: string | null;
  seed: number;
  app_version: string;
  node_versions: string;
  dataset_hash: string | null;
  pid: number | null;
  host: string | null;
}

interface NodeResultRow {
  node: string;
  cache_key: string;
  shape: string | null;
  color_mode: string | null;
  dtype: string | null;
  count: number | null;
  state: string;
  message: string | null;
}

/** How long a writer waits for another process's write lock (app and `phi run` on one project). */
const BUSY_TIMEOUT_MS = 10_000;

/** An open project file. Not thread-safe; one instance per process and file is the intended use. */
export class ProjectStore {
  /** Absolute path of the `.phiproj`. */
  readonly path: string;
  /** Folder holding the project; dataset paths are relative to it. */
  readonly dir: string;
  /** File name without `.phiproj`. */
  readonly name: string;
  /** `<dir>/<name>.phidata/`, created on demand by {@link artifactsFor}. */
  readonly artifactsDir: string;
  /** Nodes saved by older versions of their types that {@link open} upgraded. */
  nodeUpgrades: NodeUpgrade[] = [];

  private db: Database.Database | undefined;
  /** Graph writes through this store, part of {@link changeStamp}. */
  private graphWrites = 0;
  /** Runs this instance started and has not finished: marked interrupted if it is closed first. */
  private readonly ownRuns = new Set<string>();

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.dir = dirname(path);
    this.name = projectName(path);
    this.artifactsDir = join(this.dir, this.name + ARTIFACTS_SUFFIX);
    this.db = db;
  }

  /**
   * Creates a new project file holding `init.graph` and opens it. Fails if the
   * file exists. The file is built under a temporary name and published with a
   * no-clobber link, so a crash during creation never leaves a half project.
   */
  static create(path: string, init: { name?: string; graph: Graph }): ProjectStore {
    const abs = resolve(path);
    if (existsSync(abs)) {
      throw new ProjectError('exists', abs, `Cannot create ${abs}: a file with that name already exists`);
    }
    const graph = checkGraph(init.graph, abs);
    mkdirSync(dirname(abs), { recursive: true });
    const tmp = join(
      dirname(abs),
      `.${basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.creating`,
    );
    let db: Database.Database | undefined;
    try {
      const fresh = new Database(tmp);
      db = fresh;
      fresh.pragma(`application_id = ${PHI_APPLICATION_ID}`);
      configure(fresh);
      migrate(fresh);
      const now = new Date().toISOString();
      const setMeta = fresh.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      fresh
        .transaction(() => {
          setMeta.run('created_at', now);
          if (init.name !== undefined) setMeta.run('title', init.name);
          writeGraph(fresh, graph);
        })
        .immediate();
      // Closing the last connection checkpoints the WAL into the file and removes it.
      fresh.close();
      db = undefined;
      // A WAL left by a deleted project of the same name would be replayed onto the new file.
      for (const suffix of ['-wal', '-shm', '-journal']) rmSync(abs + suffix, { force: true });
      publishNoClobber(tmp, abs);
      syncDirectory(dirname(abs));
    } finally {
      db?.close();
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmp + suffix, { force: true });
    }
    return ProjectStore.open(abs);
  }

  /**
   * Opens a project: checks that the file is a project this version can read
   * (reading only), migrates an older one (after a backup copy
   * `<file>.v<N>.bak`), validates the stored graph, upgrades nodes saved by
   * older versions of the node types `nodeTypes` finds (refusing nodes saved by
   * newer ones), and marks runs whose process is gone as `interrupted`. Any
   * problem gives a {@link ProjectError} naming the file and what is wrong.
   */
  static open(path: string, nodeTypes?: NodeTypeLookup): ProjectStore {
    const abs = resolve(path);
    if (!existsSync(abs)) throw new ProjectError('not-found', abs, `${abs}: no such project file`);
    if (statSync(abs).isDirectory()) {
      throw new ProjectError('not-a-project', abs, `${abs} is a folder, not a Phi Studio project file`);
    }
    let db: Database.Database;
    try {
      db = new Database(abs, { fileMustExist: true });
    } catch (error) {
      throw describeSqliteFailure(error, abs);
    }
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      const version = checkProjectFile(db, abs);
      configure(db);
      if (version < CURRENT_SCHEMA_VERSION) {
        const backup = `${abs}.v${version}.bak`;
        rmSync(backup, { force: true });
        db.prepare('VACUUM INTO ?').run(backup);
        try {
          migrate(db);
        } catch (cause) {
          const detail = cause instanceof Error ? cause.message : String(cause);
          throw new ProjectError(
            'damaged',
            abs,
            `${abs} could not be upgraded from project format ${version} to ${CURRENT_SCHEMA_VERSION} (${detail}); the file is unchanged`,
            { cause },
          );
        }
      }
      const store = new ProjectStore(abs, db);
      store.graph();
      if (nodeTypes) store.nodeUpgrades = upgradeStoredNodes(db, abs, nodeTypes);
      const dangling = db.pragma('foreign_key_check') as unknown[];
      if (dangling.length > 0) {
        throw new ProjectError(
          'damaged',
          abs,
          `${abs} is damaged: ${dangling.length} saved row(s) refer to rows that are missing`,
        );
      }
      store.closeDeadRuns();
      return store;
    } catch (error) {
      db.close();
      throw error instanceof ProjectError ? error : describeSqliteFailure(error, abs);
    }
  }

  /** The title given at creation, else the file name. */
  get title(): string {
    const row = this.conn().prepare("SELECT value FROM meta WHERE key = 'title'").get() as
      { value: string } | undefined;
    return row?.value ?? this.name;
  }

  /** `<artifactsDir>/<nodeId>/`, not created: for reading what a node left (a status, a class list). */
  artifactsPath(nodeId: string): string {
    return join(this.artifactsDir, safeFolderName(nodeId));
  }

  /** `<artifactsDir>/<nodeId>/`, created; the id is escaped so it is always one safe folder name. */
  artifactsFor(nodeId: string): string {
    const folder = this.artifactsPath(nodeId);
    mkdirSync(folder, { recursive: true });
    return folder;
  }

  /** A path as stored in the project: relative to {@link dir}, `/`-separated, so a copied folder opens. */
  toProjectPath(absolutePath: string): string {
    return relative(this.dir, resolve(absolutePath)).split(sep).join('/') || '.';
  }

  /** The absolute path of a stored project path (absolute paths are kept as they are). */
  resolvePath(projectPath: string): string {
    return isAbsolute(projectPath) ? projectPath : resolve(this.dir, ...projectPath.split('/'));
  }

  /** The pipeline: nodes and edges, validated. */
  graph(): Graph {
    return readGraph(this.conn(), this.path);
  }

  /**
   * Changes whenever the file's content may have changed: SQLite's `data_version` counts
   * commits by other connections (another process, or another store on the same file), and
   * this store's own graph writes are counted here. Equal stamps mean an unchanged graph.
   */
  changeStamp(): string {
    return `${this.conn().pragma('data_version', { simple: true })}:${this.graphWrites}`;
  }

  /**
   * Applies a batch of edits in one transaction and returns the new graph. An
   * edit that is malformed, names a missing node or edge, or repeats an id
   * throws a {@link ProjectError} naming it, and nothing of the batch is kept.
   * Takes zod's input type, so defaults (an edge's `targetPort`) may be left out.
   */
  applyEdits(edits: z.input<typeof GraphEditSchema>[]): Graph {
    const db = this.conn();
    db.transaction(() => applyEdits(db, edits, this.path)).immediate();
    this.graphWrites++;
    return this.graph();
  }

  /** Replaces the whole graph in one transaction; results of nodes no longer present are dropped. */
  replaceGraph(graph: Graph): void {
    const checked = checkGraph(graph, this.path);
    const db = this.conn();
    db.transaction(() => {
      writeGraph(db, checked);
      db.prepare('DELETE FROM node_results WHERE node NOT IN (SELECT id FROM nodes)').run();
    }).immediate();
    this.graphWrites++;
  }

  /** A setting stored as JSON (e.g. the remembered sample size), or undefined. */
  getSetting<T>(key: string): T | undefined {
    const row = this.conn().prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  /** Stores a JSON value; `undefined` removes the setting. */
  setSetting(key: string, value: unknown): void {
    const db = this.conn();
    if (value === undefined) {
      db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      return;
    }
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new ProjectError(
        'invalid-edit',
        this.path,
        `Setting "${key}" cannot be saved: it is not JSON data`,
      );
    }
    db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, json);
  }

  /** Records a new run as `running`, stamped with this process, and returns its id. */
  startRun(info: RunInfo): string {
    const db = this.conn();
    const startedAt = new Date();
    const id = `${startedAt.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
    const owner = currentOwner();
    db.prepare(
      `INSERT INTO runs (id, mode, status, started_at, seed, app_version, node_versions, backend, dataset_hash, pid, host)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      info.mode,
      startedAt.toISOString(),
      info.seed,
      info.appVersion,
      JSON.stringify(info.nodeVersions),
      info.backend ?? null,
      info.datasetHash ?? null,
      owner.pid,
      owner.host,
    );
    this.ownRuns.add(id);
    markLive(this.path, id);
    return id;
  }

  /** Marks a run finished with its final status. */
  finishRun(runId: string, status: 'done' | 'failed' | 'cancelled'): void {
    const result = this.conn()
      .prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?')
      .run(status, new Date().toISOString(), runId);
    if (result.changes === 0) throw this.unknownRun(runId);
    this.ownRuns.delete(runId);
    markEnded(this.path, runId);
  }

  /**
   * Takes over a run whose process is gone (a search resumed after its
   * workstation stopped): `running` again, stamped with this process.
   */
  reopenRun(runId: string): void {
    const owner = currentOwner();
    const result = this.conn()
      .prepare("UPDATE runs SET status = 'running', finished_at = NULL, pid = ?, host = ? WHERE id = ?")
      .run(owner.pid, owner.host, runId);
    if (result.changes === 0) throw this.unknownRun(runId);
    this.ownRuns.add(runId);
    markLive(this.path, runId);
  }

  /** Every run, oldest first. */
  runs(): RunRecord[] {
    const rows = this.conn().prepare('SELECT * FROM runs ORDER BY started_at, rowid').all() as RunRow[];
    return rows.map((row) => ({
      id: row.id,
      mode: row.mode,
      status: row.status,
      startedAt: row.started_at,
      ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
      ...(row.backend === null ? {} : { backend: row.backend }),
      seed: row.seed,
      appVersion: row.app_version,
      nodeVersions: this.parseJson(row.node_versions, `run "${row.id}" node versions`) as Record<
        string,
        number
      >,
      ...(row.dataset_hash === null ? {} : { datasetHash: row.dataset_hash }),
    }));
  }

  /** Records (or, for a resumed epoch, replaces) one epoch's metrics of one split. */
  recordEpoch(runId: string, node: string, epoch: number, split: string, metrics: EpochMetrics): void {
    const db = this.conn();
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw this.unknownRun(runId);
    // JSON has no NaN or Infinity: a diverged loss is stored as null ("—").
    db.prepare(
      'INSERT OR REPLACE INTO epochs (run_id, node, epoch, split, metrics) VALUES (?, ?, ?, ?, ?)',
    ).run(runId, node, epoch, split, JSON.stringify(metrics));
  }

  /**
   * Records (or replaces) a node's test row and its per-volume figures in one transaction, so
   * a reader never sees the one without the other.
   */
  recordTest(runId: string, node: string, metrics: EpochMetrics, volumes: readonly VolumeFigureRow[]): void {
    const db = this.conn();
    db.transaction(() => {
      this.recordEpoch(runId, node, 0, 'test', metrics);
      writeVolumeFigures(db, runId, node, volumes);
    }).immediate();
  }

  /** The per-volume test figures `runId` recorded for `node` (none for a 2-D network). */
  volumeFigures(runId: string, node: string): VolumeFigureRow[] {
    return readVolumeFigures(this.conn(), runId, node);
  }

  /**
   * Per-epoch metrics of a node, by epoch then split. Without `runId`: the
   * latest run that recorded epochs for this node (a later run of other nodes
   * does not blank the curves).
   */
  epochs(node: string, runId?: string): EpochRecord[] {
    const db = this.conn();
    const run =
      runId ??
      (
        db
          .prepare(
            `SELECT e.run_id AS id FROM epochs e JOIN runs r ON r.id = e.run_id
             WHERE e.node = ? ORDER BY r.started_at DESC, r.rowid DESC LIMIT 1`,
          )
          .get(node) as { id: string } | undefined
      )?.id;
    if (run === undefined) return [];
    const rows = db
      .prepare('SELECT epoch, split, metrics FROM epochs WHERE run_id = ? AND node = ? ORDER BY epoch, split')
      .all(run, node) as { epoch: number; split: string; metrics: string }[];
    return rows.map((row) => {
      const where = `metrics of node "${node}", run "${run}", epoch ${row.epoch} (${row.split})`;
      const parsed = EpochMetricsSchema.safeParse(this.parseJson(row.metrics, where));
      if (!parsed.success) {
        throw new ProjectError('invalid-content', this.path, `${this.path}: ${where} are not valid`);
      }
      return { runId: run, epoch: row.epoch, split: row.split, metrics: parsed.data };
    });
  }

  /**
   * Keeps the last result of a node. A node no longer in the graph (removed
   * while a run went on) is ignored: returns false.
   */
  recordNodeResult(node: string, result: NodeResult): boolean {
    const db = this.conn();
    if (!hasNode(db, node)) return false;
    db.prepare(
      `INSERT OR REPLACE INTO node_results (node, cache_key, shape, color_mode, dtype, count, state, message, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      node,
      result.cacheKey,
      result.shape === undefined ? null : JSON.stringify(result.shape),
      result.colorMode ?? null,
      result.dtype ?? null,
      result.count ?? null,
      result.state,
      result.message ?? null,
      new Date().toISOString(),
    );
    return true;
  }

  /** The last result of every node that has one, keyed by node id. */
  nodeResults(): Record<string, NodeResult> {
    const rows = this.conn().prepare('SELECT * FROM node_results ORDER BY node').all() as NodeResultRow[];
    const out: Record<string, NodeResult> = {};
    for (const row of rows) {
      out[row.node] = {
        cacheKey: row.cache_key,
        ...(row.shape === null
          ? {}
          : { shape: this.parseJson(row.shape, `shape of node "${row.node}"`) as (number | null)[] }),
        ...(row.color_mode === null ? {} : { colorMode: row.color_mode }),
        ...(row.dtype === null ? {} : { dtype: row.dtype }),
        ...(row.count === null ? {} : { count: row.count }),
        state: row.state,
        ...(row.message === null ? {} : { message: row.message }),
      };
    }
    return out;
  }

  /**
   * Indexes a file of the artifacts folder (recorded again: its meta is
   * replaced). `relPath` is relative to {@link artifactsDir} and must stay inside it.
   */
  recordArtifact(node: string, kind: string, relPath: string, meta?: unknown): void {
    const normalized = relPath.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
    if (isAbsolute(relPath) || normalized.length === 0 || normalized.includes('..')) {
      throw new ProjectError(
        'invalid-edit',
        this.path,
        `Artifact path "${relPath}" of node "${node}" must be relative to ${this.artifactsDir} and stay inside it`,
      );
    }
    this.conn()
      .prepare(
        'INSERT OR REPLACE INTO artifacts (node, kind, rel_path, meta, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        node,
        kind,
        normalized.join('/'),
        meta === undefined ? null : JSON.stringify(meta),
        new Date().toISOString(),
      );
  }

  /** The artifacts indexed for a node, oldest first. */
  artifacts(node: string): ArtifactRecord[] {
    const rows = this.conn()
      .prepare(
        'SELECT kind, rel_path, meta, created_at FROM artifacts WHERE node = ? ORDER BY created_at, rowid',
      )
      .all(node) as { kind: string; rel_path: string; meta: string | null; created_at: string }[];
    return rows.map((row) => ({
      node,
      kind: row.kind,
      relPath: row.rel_path,
      path: join(this.artifactsDir, ...row.rel_path.split('/')),
      ...(row.meta === null ? {} : { meta: this.parseJson(row.meta, `artifact "${row.rel_path}" meta`) }),
      createdAt: row.created_at,
    }));
  }

  /** Saves (or replaces) one version of a custom module's source and wizard info. */
  saveCustomModule(module: {
    id: string;
    version: number;
    language: string;
    source: string;
    trusted?: boolean;
    title?: string;
    category?: string;
    modality?: string;
    dims?: string;
    description?: string;
  }): void {
    this.conn()
      .prepare(
        `INSERT OR REPLACE INTO custom_modules
           (id, version, language, source, trusted, updated_at, title, category, modality, dims, description)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        module.id,
        module.version,
        module.language,
        module.source,
        module.trusted ? 1 : 0,
        new Date().toISOString(),
        module.title ?? null,
        module.category ?? null,
        module.modality ?? null,
        module.dims ?? null,
        module.description ?? null,
      );
  }

  /** Sets the project's trusted flag on every version of a custom module. */
  setCustomModuleTrusted(id: string, trusted: boolean): void {
    this.conn()
      .prepare('UPDATE custom_modules SET trusted = ? WHERE id = ?')
      .run(trusted ? 1 : 0, id);
  }

  /** Removes every version of a custom module; returns how many versions there were. */
  deleteCustomModule(id: string): number {
    return this.conn().prepare('DELETE FROM custom_modules WHERE id = ?').run(id).changes;
  }

  /** Every saved custom module version, by id then version. */
  customModules(): CustomModuleRecord[] {
    const rows = this.conn().prepare('SELECT * FROM custom_modules ORDER BY id, version').all() as {
      id: string;
      version: number;
      language: string;
      source: string;
      trusted: number;
      updated_at: string;
      title: string | null;
      category: string | null;
      modality: string | null;
      dims: string | null;
      description: string | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      version: row.version,
      language: row.language,
      source: row.source,
      trusted: row.trusted === 1,
      sourceHash: createHash('sha256').update(row.source).digest('hex'),
      updatedAt: row.updated_at,
      ...(row.title === null ? {} : { title: row.title }),
      ...(row.category === null ? {} : { category: row.category }),
      ...(row.modality === null ? {} : { modality: row.modality }),
      ...(row.dims === null ? {} : { dims: row.dims }),
      ...(row.description === null ? {} : { description: row.description }),
    }));
  }

  /** Saves (or replaces) one version of a network spec (any JSON value). */
  saveNetworkSpec(id: string, version: number, spec: unknown): void {
    this.conn()
      .prepare('INSERT OR REPLACE INTO network_specs (id, version, json, updated_at) VALUES (?, ?, ?, ?)')
      .run(id, version, JSON.stringify(spec), new Date().toISOString());
  }

  /** A network spec: the given version, or the highest saved one. */
  networkSpec(id: string, version?: number): NetworkSpecRecord | undefined {
    const row = this.conn()
      .prepare(
        version === undefined
          ? 'SELECT * FROM network_specs WHERE id = ? ORDER BY version DESC LIMIT 1'
          : 'SELECT * FROM network_specs WHERE id = ? AND version = ?',
      )
      .get(...(version === undefined ? [id] : [id, version])) as
      { id: string; version: number; json: string; updated_at: string } | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      version: row.version,
      spec: this.parseJson(row.json, `network spec "${row.id}" v${row.version}`),
      updatedAt: row.updated_at,
    };
  }

  /** Ids of the saved network specs with their highest version, by id. */
  networkSpecs(): { id: string; version: number }[] {
    return this.conn()
      .prepare('SELECT id, MAX(version) AS version FROM network_specs GROUP BY id ORDER BY id')
      .all() as { id: string; version: number }[];
  }

  /** Records a tuning trial of a run; returns its id. */
  recordTrial(runId: string, params: unknown, metrics?: unknown): string {
    const db = this.conn();
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw this.unknownRun(runId);
    const id = `${runId}-t${randomBytes(4).toString('hex')}`;
    db.prepare(
      `INSERT INTO tuning_trials (id, run_id, seq, params, metrics, created_at)
       VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tuning_trials WHERE run_id = ?), ?, ?, ?)`,
    ).run(
      id,
      runId,
      runId,
      JSON.stringify(params),
      metrics === undefined ? null : JSON.stringify(metrics),
      new Date().toISOString(),
    );
    return id;
  }

  /** Sets the metrics of a trial once it has been evaluated. */
  setTrialMetrics(trialId: string, metrics: unknown): void {
    const result = this.conn()
      .prepare('UPDATE tuning_trials SET metrics = ? WHERE id = ?')
      .run(JSON.stringify(metrics), trialId);
    if (result.changes === 0) {
      throw new ProjectError('unknown-run', this.path, `${this.path} has no tuning trial "${trialId}"`);
    }
  }

  /** The trials of a run in the order they were recorded. */
  trials(runId: string): TuningTrialRecord[] {
    const rows = this.conn()
      .prepare('SELECT id, params, metrics, created_at FROM tuning_trials WHERE run_id = ? ORDER BY seq')
      .all(runId) as { id: string; params: string; metrics: string | null; created_at: string }[];
    return rows.map((row) => ({
      id: row.id,
      runId,
      params: this.parseJson(row.params, `trial "${row.id}" params`),
      ...(row.metrics === null ? {} : { metrics: this.parseJson(row.metrics, `trial "${row.id}" metrics`) }),
      createdAt: row.created_at,
    }));
  }

  /** Records an evaluation of a network node (its study report, as JSON) with the run that made it; returns its id. */
  recordEvaluation(
    runId: string,
    node: string,
    source: 'test' | 'external',
    report: unknown,
    dataset?: string,
  ): string {
    const db = this.conn();
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw this.unknownRun(runId);
    const id = `${runId}-e${randomBytes(4).toString('hex')}`;
    db.prepare(
      'INSERT INTO evaluations (id, run_id, node, source, dataset, report, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(id, runId, node, source, dataset ?? null, JSON.stringify(report), new Date().toISOString());
    return id;
  }

  /** The evaluations of a node, oldest first. */
  evaluations(node: string): EvaluationRow[] {
    const rows = this.conn()
      .prepare(
        'SELECT id, run_id, source, dataset, report, created_at FROM evaluations WHERE node = ? ORDER BY created_at, rowid',
      )
      .all(node) as {
      id: string;
      run_id: string;
      source: 'test' | 'external';
      dataset: string | null;
      report: string;
      created_at: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      runId: row.run_id,
      node,
      source: row.source,
      ...(row.dataset === null ? {} : { dataset: row.dataset }),
      report: this.parseJson(row.report, `evaluation "${row.id}"`),
      createdAt: row.created_at,
    }));
  }

  /** True until {@link close}. */
  get isOpen(): boolean {
    return this.db !== undefined;
  }

  /**
   * Closes the file (SQLite folds the WAL back into it). Runs this instance
   * started and did not finish are marked `interrupted`. Safe to call twice.
   */
  close(): void {
    const db = this.db;
    if (db === undefined) return;
    const interrupt = db.prepare(
      "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'",
    );
    try {
      for (const runId of this.ownRuns) {
        markEnded(this.path, runId);
        // A full disk cannot take the mark: the next open marks the run, whose process is gone by then.
        try {
          interrupt.run(new Date().toISOString(), runId);
        } catch (error) {
          if (!isNoSpace(error)) throw error;
        }
      }
    } finally {
      this.ownRuns.clear();
      db.close();
      this.db = undefined;
    }
  }

  /** Marks `running` runs whose process is gone as `interrupted` (docs/design.md section 8). */
  private closeDeadRuns(): void {
    const db = this.conn();
    const running = db.prepare("SELECT id, pid, host FROM runs WHERE status = 'running'").all() as Pick<
      RunRow,
      'id' | 'pid' | 'host'
    >[];
    const dead = running.filter((run) => !ownerIsAlive(this.path, run.id, run.pid, run.host));
    if (dead.length === 0) return;
    const mark = db.prepare("UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'");
    db.transaction(() => dead.forEach((run) => mark.run(run.id))).immediate();
  }

  private conn(): Database.Database {
    if (this.db === undefined) throw new ProjectError('closed', this.path, `${this.path} is closed`);
    return this.db;
  }

  private unknownRun(runId: string): ProjectError {
    return new ProjectError('unknown-run', this.path, `${this.path} has no run "${runId}"`);
  }

  private parseJson(text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new ProjectError('invalid-content', this.path, `${this.path}: ${what} are not valid JSON`, {
        cause,
      });
    }
  }
}

/** Connection settings of every project handle; see docs/store.md for the durability choice. */
function configure(db: Database.Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

function projectName(path: string): string {
  const file = basename(path);
  if (file.toLowerCase().endsWith(PROJECT_EXTENSION)) return file.slice(0, -PROJECT_EXTENSION.length);
  const ext = extname(file);
  return ext === '' ? file : file.slice(0, -ext.length);
}

/** One folder name for any node id: no separators, no `.`/`..`, nothing Windows refuses. */
function safeFolderName(id: string): string {
  if (id === '') throw new Error('artifactsFor: a node id is needed');
  return encodeURIComponent(id).replace(
    /[!'()*.~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Moves `from` to `to` unless `to` exists (link is atomic and refuses to overwrite). */
function publishNoClobber(from: string, to: string): void {
  try {
    linkSync(from, to);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new ProjectError('exists', to, `Cannot create ${to}: a file with that name already exists`);
    }
    // Filesystems without hard links (FAT, some network shares): check, then rename.
    if (existsSync(to)) {
      throw new ProjectError('exists', to, `Cannot create ${to}: a file with that name already exists`);
    }
    renameSync(from, to);
  }
}

/** Makes a new directory entry durable; not possible (nor needed) on every platform. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for fsync; NTFS journals the entry itself.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
