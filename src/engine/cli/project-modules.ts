/**
 * The custom modules of a project for the CLI (`phi process --project`,
 * `phi predict`), made runnable as the app does (custom/project-modules.ts);
 * a module that does not compile stops the command with its first problem.
 */
import { resolve } from 'node:path';
import { compileProjectModules, type CustomModuleNodeType } from '../custom';
import { readCustomModules } from '../custom/records';
import { TrustList } from '../custom/trust-list';
import { ProjectStore } from '../store';
import { UsageError } from './command';

export interface ProjectModules {
  /** Compiled, trusted modules; dispose them when done. */
  modules: CustomModuleNodeType[];
  /** Ids of the project's modules this computer has not trusted. */
  untrusted: string[];
  dispose(): Promise<void>;
}

/**
 * Reads and compiles the trusted custom modules of the project at `path`
 * (only the ids in `only` when given: each compile starts a sandbox).
 */
export async function loadProjectModules(
  path: string,
  only?: ReadonlySet<string>,
  trustList = new TrustList(),
): Promise<ProjectModules> {
  let store: ProjectStore;
  try {
    store = ProjectStore.open(resolve(path));
  } catch (error) {
    throw new UsageError(`cannot open project "${path}": ${(error as Error).message}`);
  }
  let stored;
  try {
    stored = readCustomModules(store);
  } finally {
    store.close();
  }
  const made = await compileProjectModules(stored, trustList, { only });
  const dispose = async (): Promise<void> => {
    await Promise.all(made.compiled.map((m) => m.dispose()));
  };
  const broken = made.broken[0];
  if (broken) {
    await dispose();
    throw new UsageError(`custom module "${broken.id}" does not compile: ${broken.problem}`);
  }
  return { modules: made.compiled, untrusted: made.untrusted.map((m) => m.id), dispose };
}
