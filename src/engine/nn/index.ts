/** Built-in network node types (owned by the networks work). */
import type { NetworkNodeType } from '../graph/node-type';

/** Every built-in network node type. */
export const builtinNetworkTypes: NetworkNodeType[] = [];
