/**
 * What a network node's study report is computed with besides its scores
 * (docs/metrics.md, "Operating point" and "Subgroups"): the node's operating
 * rule (`operatingPoint` param) and each evaluated item's subgroup attributes
 * (kept DICOM attributes of its sample, columns of the node's `subgroupFile`).
 */
import { resolve } from 'node:path';
import type { Graph } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';
import { subgroupAttributes } from '../nn/evaluation/subgroup-attributes';
import { parseOperatingRule, type OperatingRule } from '../nn/metrics/operating-point';
import type { NetworkParams } from '../nn/params';

/** The node's study settings: its operating rule and its subgroup CSV (absolute), if any. */
export function studySettings(
  graph: Graph,
  registry: NodeTypeRegistry,
  node: string,
  projectDir: string,
): { rule: OperatingRule; subgroupFile?: string } {
  const graphNode = graph.nodes.find((n) => n.id === node);
  const type = graphNode && registry.get(graphNode.type);
  if (!graphNode || type?.kind !== 'network') throw new Error(`"${node}" is not a network node`);
  const params = type.params.parse(graphNode.params) as Partial<NetworkParams>;
  return {
    rule: parseOperatingRule(params.operatingPoint ?? 'youden'),
    ...(params.subgroupFile ? { subgroupFile: resolve(projectDir, params.subgroupFile) } : {}),
  };
}

/** Each item's subgroup attributes, reading its sample's meta with `metaOf`. */
export async function itemAttributes(
  ids: readonly string[],
  metaOf: (id: string) => Promise<Record<string, unknown>>,
  subgroupFile?: string,
): Promise<Record<string, (string | undefined)[]>> {
  const metas: Record<string, unknown>[] = [];
  for (const id of ids) metas.push(await metaOf(id).catch(() => ({})));
  return subgroupAttributes(ids, metas, subgroupFile);
}
