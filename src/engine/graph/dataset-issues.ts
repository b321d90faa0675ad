/**
 * Turns what each dataset's checks found into graph issues: every finding is
 * a warning on its Dataset node (the node's badge), and an `error` finding
 * also becomes an error on each network the dataset feeds, so that training
 * on a degenerate set-up is refused before it starts, with the same sentence
 * in the UI, in `phi run` and in the run's log.
 */
import type { DatasetWarning, Graph, GraphIssue } from '../api';
import { inputsOf } from './plan';

/** The dataset nodes upstream of `id` (through any chain of modules). */
function upstreamDatasets(graph: Graph, id: string): string[] {
  const inputs = inputsOf(graph);
  const datasets = new Set(graph.nodes.filter((n) => n.kind === 'dataset').map((n) => n.id));
  const found: string[] = [];
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const { source } of inputs.get(current) ?? []) {
      if (seen.has(source)) continue;
      seen.add(source);
      if (datasets.has(source)) found.push(source);
      else stack.push(source);
    }
  }
  return found;
}

/** Issues of the datasets' findings, keyed by dataset node id. */
export function datasetIssues(
  graph: Graph,
  findings: ReadonlyMap<string, readonly DatasetWarning[]>,
): GraphIssue[] {
  const issues: GraphIssue[] = [];
  for (const [node, list] of findings) {
    for (const finding of list) issues.push({ severity: 'warning', node, message: finding.message });
  }
  for (const network of graph.nodes.filter((n) => n.kind === 'network')) {
    for (const dataset of upstreamDatasets(graph, network.id)) {
      for (const finding of findings.get(dataset) ?? []) {
        if (finding.severity !== 'error') continue;
        issues.push({
          severity: 'error',
          node: network.id,
          message: `Node "${network.id}" cannot train on "${dataset}": ${finding.message}`,
        });
      }
    }
  }
  return issues;
}
