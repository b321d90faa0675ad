/**
 * The custom modules of a project, made runnable the one way the app and the
 * CLI share: the latest version of each is compiled only when this
 * computer's trust list has its source (compiling runs the module's
 * top-level code), else it is named as untrusted; a module that does not
 * compile is named with its first problem.
 */
import { compileCustomModule, type CompileOptions, type CustomModuleNodeType } from './compile';
import type { StoredCustomModule } from './records';
import type { TrustList } from './trust-list';

/** What a project's stored custom modules became on this computer. */
export interface ProjectModules {
  /** Compiled, trusted modules: dispose each when done. */
  compiled: CustomModuleNodeType[];
  /** Modules this computer has not trusted. */
  untrusted: { id: string; title: string }[];
  /** Trusted modules that do not compile, with their first problem in words. */
  broken: { id: string; title: string; problem: string }[];
}

/** Compiles the trusted modules among `stored` (only the ids in `only` when given: each compile starts a sandbox). */
export async function compileProjectModules(
  stored: readonly StoredCustomModule[],
  trustList: TrustList,
  options: { only?: ReadonlySet<string>; onLog?: CompileOptions['onLog'] } = {},
): Promise<ProjectModules> {
  const made: ProjectModules = { compiled: [], untrusted: [], broken: [] };
  for (const { sourceHash, trusted: _flag, version, ...info } of stored) {
    if (options.only && !options.only.has(info.id)) continue;
    if (!trustList.isTrusted(sourceHash)) {
      made.untrusted.push({ id: info.id, title: info.title });
      continue;
    }
    const result = await compileCustomModule(info, { version, onLog: options.onLog });
    if (result.ok) {
      made.compiled.push(result.nodeType);
    } else {
      const first = result.problems[0];
      made.broken.push({
        id: info.id,
        title: info.title,
        problem: first ? `line ${first.line}: ${first.message}` : 'it does not compile',
      });
    }
  }
  return made;
}
