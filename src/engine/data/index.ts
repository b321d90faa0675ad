/** Built-in dataset node types (owned by the datasets work). */
import type { DatasetNodeType } from '../graph/node-type';

/** Every built-in dataset node type. */
export const builtinDatasetTypes: DatasetNodeType[] = [];
