/** Built-in image-processing modules: one import per module file. */
import type { ModuleNodeType } from '../graph/node-type';

/** Every built-in module. */
export const builtinModules: ModuleNodeType[] = [];
