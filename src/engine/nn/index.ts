/** Built-in network node types (owned by the networks work). */
import type { NetworkNodeType } from '../graph/node-type';
import { neuralNetworkNode } from './network-node';

/** Every built-in network node type. */
export const builtinNetworkTypes: NetworkNodeType[] = [neuralNetworkNode as unknown as NetworkNodeType];

export { describeBackends } from './backends/select';
