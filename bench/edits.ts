/**
 * What a parameter edit costs the engine and the wire: the answer as a delta
 * (editGraph now: the changed node and the states downstream of it) against
 * the whole project snapshot (what an edit answered before, measured here as
 * editGraph followed by getProject), on a dataset and a chain of modules after
 * a run, in the same run; and how often the graph is read from the project file.
 * Run: `npm run bench -- edits [modules] [edits]`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectStore } from '../src/engine/store/project-store';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { Engine } from '../src/engine/service/engine';
import { GraphBuilder, tempDir, writeClassFolders } from '../src/engine/test-support/pipeline';

const modules = Number(process.argv[2] ?? 30);
const edits = Number(process.argv[3] ?? 40);
const dir = tempDir('phi-bench-edits-');
const registry = createBuiltinRegistry();

/** Graph reads from SQLite, counted by wrapping the store's method. */
let reads = 0;
const read = ProjectStore.prototype.graph;
ProjectStore.prototype.graph = function (this: ProjectStore) {
  reads++;
  return read.call(this);
};

const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
try {
  await writeClassFolders(join(dir, 'scans'), { classes: { a: 10, b: 10 }, size: [32, 32] });
  const chain = Array.from({ length: modules }, (_, i): [string, string, Record<string, unknown>] =>
    i % 2 ? [`flip${i}`, 'flip', {}] : [`resize${i}`, 'resize', { width: 24, height: 24 }],
  );
  const path = join(dir, 'p.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(['data', 'dataset', { path: 'scans', splitByPatient: false }], ...chain)
      .build(),
  }).close();
  await engine.openProject({ path });
  await engine.run({ mode: 'all' });
  // The middle of the chain: half the nodes are downstream of the edit.
  const target = chain.filter(([, type]) => type === 'resize')[Math.floor(modules / 4)][0];
  const edit = (i: number) => [{ op: 'set-params' as const, id: target, params: { width: 20 + (i % 2) } }];

  const measure = async (answer: (i: number) => Promise<unknown>) => {
    reads = 0;
    let bytes = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < edits; i++) bytes += JSON.stringify(await answer(i)).length;
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / edits;
    return { ms, bytes: bytes / edits, reads: reads / edits };
  };
  const snapshot = await measure(async (i) => {
    await engine.editGraph({ edits: edit(i) });
    return engine.getProject();
  });
  const delta = await measure((i) => engine.editGraph({ edits: edit(i) }));
  console.log(`${modules} modules after a run, ${edits} edits of "${target}" (temp dir ${dir})`);
  console.log(
    `whole snapshot per edit: ${snapshot.ms.toFixed(1)} ms, ${Math.round(snapshot.bytes)} bytes, ${snapshot.reads} graph reads`,
  );
  console.log(
    `delta per edit:          ${delta.ms.toFixed(1)} ms, ${Math.round(delta.bytes)} bytes, ${delta.reads} graph reads` +
      `  (time ratio ${(delta.ms / snapshot.ms).toFixed(2)}, size ratio ${(delta.bytes / snapshot.bytes).toFixed(2)})`,
  );
} finally {
  ProjectStore.prototype.graph = read;
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
}
