/** Built-in dataset node types (owned by the datasets work) and the data API other parts use. */
import type { DatasetNodeType } from '../graph/node-type';
import { datasetNodeType } from './dataset-node';

export { datasetNodeType, openDataset, resolveDatasetRoot } from './dataset-node';
export { datasetParamsSchema, type DatasetParams } from './params';

/** Every built-in dataset node type. */
export const builtinDatasetTypes: DatasetNodeType[] = [datasetNodeType];
