/**
 * The bundled 3-D example copied into a test folder and run (3 epochs) with the cache `phi serve`
 * will use, for browser tests of a trained 3-D segmentation's Output tab.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesDir } from '../../src/engine/resources';
import { Engine } from '../../src/engine/service/engine';

/** Runs the copy in `dir`/example, then `after` on the still open engine; the project's path and what `after` gave. */
export async function trainedLesions3d<T>(
  dir: string,
  after: (engine: Engine) => Promise<T>,
): Promise<{ project: string; result: T }> {
  const folder = join(dir, 'example');
  cpSync(resourcesDir('examples', 'lesions-3d'), folder, { recursive: true });
  const project = join(folder, 'lesions-3d.phiproj');
  const engine = new Engine({ cacheDir: join(dir, 'cache', 'phi-studio') });
  try {
    const opened = await engine.openProject({ path: project });
    const network = opened.graph.nodes.find((n) => n.id === 'network');
    await engine.editGraph({
      edits: [{ op: 'set-params', id: 'network', params: { ...network?.params, epochs: 3 } }],
    });
    const run = await engine.run({ mode: 'all' });
    if (run.status !== 'done') throw new Error(`the example did not run: ${run.status}`);
    return { project, result: await after(engine) };
  } finally {
    engine.closeProject();
  }
}
