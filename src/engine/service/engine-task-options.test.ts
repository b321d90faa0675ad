/** A saved project holding an option that does not fit its task: a problem on the node before RUN, and RUN refuses it. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('names the misfit on the node and does not train it', async () => {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data'), { classes: { a: 4, b: 4 }, size: [16, 16], channels: 1 });
  const path = join(dir, 'misfit.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        ['net', 'neural-network', { task: 'classification', bestMetric: 'map50', epochs: 1 }],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  const snapshot = await engine.openProject({ path });
  const sentence =
    'Node "net": Best metric map50 does not fit classification: pick one of auto, loss, accuracy, accuracyByClass, sensitivity, specificity, ppv, npv, dice';
  expect(snapshot.issues).toContainEqual({ severity: 'error', node: 'net', message: sentence });

  const result = await engine.run({ mode: 'all' });
  expect(result.status).toBe('failed');
  expect(result.ran).not.toContain('net');
  expect(result.errors).toContainEqual(
    expect.objectContaining({ message: expect.stringContaining(sentence) }),
  );
  engine.closeProject();
});
