/** An engine with one project open for the length of a test step. */
import { Engine } from '../service/engine';

/** Runs `use` on an engine (cache in `cacheDir`) with the project at `path` open, and closes it after. */
export async function withOpenProject<T>(
  cacheDir: string,
  path: string,
  use: (engine: Engine) => Promise<T>,
): Promise<T> {
  const engine = new Engine({ cacheDir });
  try {
    await engine.openProject({ path });
    return await use(engine);
  } finally {
    engine.closeProject();
  }
}
