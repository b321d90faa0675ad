/**
 * The custom modules of a project for `phi process --project`: the latest
 * version of each, compiled when this computer's trust list has its source
 * (as the app requires before running a project's code), else named as
 * untrusted so the command can say why it will not run one.
 */
import { resolve } from 'node:path';
import { compileCustomModule, type CustomModuleNodeType } from '../custom/compile';
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
  const modules: CustomModuleNodeType[] = [];
  const untrusted: string[] = [];
  for (const { sourceHash, trusted: _flag, version, ...info } of stored) {
    if (only && !only.has(info.id)) continue;
    if (!trustList.isTrusted(sourceHash)) {
      untrusted.push(info.id);
      continue;
    }
    const result = await compileCustomModule(info, { version });
    if (!result.ok) {
      await Promise.all(modules.map((m) => m.dispose()));
      const first = result.problems[0];
      throw new UsageError(
        `custom module "${info.id}" does not compile: line ${first.line}: ${first.message}`,
      );
    }
    modules.push(result.nodeType);
  }
  return {
    modules,
    untrusted,
    dispose: async () => {
      await Promise.all(modules.map((m) => m.dispose()));
    },
  };
}
