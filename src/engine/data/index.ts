/** Built-in dataset node types (owned by the datasets work) and the data API other parts use. */
import type { DatasetNodeType } from '../graph/node-type';
import { datasetNodeType } from './dataset-node';

export { datasetNodeType, openDataset, resolveDatasetRoot } from './dataset-node';
export {
  inspectFile,
  inspectPath,
  type FileReport,
  type InspectOptions,
  type InspectReport,
} from './inspect';
export { datasetParamsSchema, LAYOUTS, type DatasetParams, type Layout } from './params';
export { openImage, readers } from './readers';
export type { DecodedImage, ImageHeader, ImageReader, OpenedImage } from './readers/types';
export { summarizeDataset, type ClassCounts, type DatasetSummary, type DatasetWarning } from './summary';

/** Every built-in dataset node type. */
export const builtinDatasetTypes: DatasetNodeType[] = [datasetNodeType];
