/** The registry of every built-in node type: datasets, modules, networks. */
import { builtinDatasetTypes } from '../data';
import { NodeTypeRegistry } from '../graph/registry';
import { builtinModules } from '../modules';
import { builtinNetworkTypes } from '../nn';

/** A fresh registry holding all built-in node types. */
export function createBuiltinRegistry(): NodeTypeRegistry {
  return new NodeTypeRegistry().register(...builtinDatasetTypes, ...builtinModules, ...builtinNetworkTypes);
}
