/**
 * Cost of the store's durability choice (docs/store.md): commits per second of
 * one small graph edit with synchronous=FULL (what ProjectStore uses) against
 * synchronous=NORMAL, both in WAL mode on the same file system, measured in the
 * same run. Run: `node bin/run-ts.mjs bench/store.ts [commits]`.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectStore } from '../src/engine/store';

const commits = Number(process.argv[2] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'phi-bench-store-'));
const graph = {
  nodes: [
    { id: 'a', kind: 'module' as const, type: 'resize', version: 1, params: {}, position: { x: 0, y: 0 } },
  ],
  edges: [],
};

/** Milliseconds per committed move-node edit through a raw handle with the given synchronous mode. */
function rawCommitMs(mode: 'FULL' | 'NORMAL'): number {
  const path = join(dir, `${mode}.phiproj`);
  ProjectStore.create(path, { graph }).close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${mode}`);
  const move = db.prepare("UPDATE nodes SET x = ?, y = ? WHERE id = 'a'");
  const tx = db.transaction((i: number) => move.run(i, i));
  const start = process.hrtime.bigint();
  for (let i = 0; i < commits; i++) tx.immediate(i);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  db.close();
  return ms / commits;
}

/** Milliseconds per `applyEdits` call of one move-node edit, the store's real path (FULL). */
function storeCommitMs(): number {
  const store = ProjectStore.create(join(dir, 'store.phiproj'), { graph });
  const start = process.hrtime.bigint();
  for (let i = 0; i < commits; i++)
    store.applyEdits([{ op: 'move-node', id: 'a', position: { x: i, y: i } }]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  store.close();
  return ms / commits;
}

try {
  const normal = rawCommitMs('NORMAL');
  const full = rawCommitMs('FULL');
  const store = storeCommitMs();
  console.log(`commits: ${commits} (temp dir ${dir})`);
  console.log(`raw commit, synchronous=NORMAL: ${normal.toFixed(3)} ms`);
  console.log(
    `raw commit, synchronous=FULL:   ${full.toFixed(3)} ms  (ratio FULL/NORMAL ${(full / normal).toFixed(2)})`,
  );
  console.log(
    `ProjectStore.applyEdits (FULL, with re-read graph): ${store.toFixed(3)} ms  (ratio to raw NORMAL ${(store / normal).toFixed(2)})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
