/**
 * Cache keys: node type id + version + normalised params + the type's
 * fingerprint (what else the output depends on: a dataset's files, a custom
 * module's source, a saved network spec) + the keys of the node's inputs in
 * port order + the run seed for types that use randomness. Editing one
 * parameter changes the key of that node and of everything downstream, and
 * nothing else (docs/design.md section 5).
 */
import { createHash } from 'node:crypto';
import type { Graph, GraphNode } from '../api';
import type { DatasetSource } from '../graph/node-type';
import { inputsOf, topologicalOrder } from '../graph/plan';
import type { NodeTypeRegistry } from '../graph/registry';

/** JSON with object keys sorted, so equal params give equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A short hex digest of the given parts. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** The key of one node's output, or why it has none. */
export type KeyResult = { key: string } | { error: string };

/**
 * Keys of the nodes in `wanted` and of all their ancestors, in topological
 * order. A node whose params do not parse, whose type is unknown, whose input
 * has no key or whose fingerprint cannot be taken (a dataset that cannot be
 * opened) gets an error instead.
 */
export async function computeKeys(
  graph: Graph,
  registry: NodeTypeRegistry,
  seed: number,
  openDataset: (node: GraphNode) => Promise<DatasetSource>,
  savedSpec?: (id: string) => unknown,
): Promise<Map<string, KeyResult>> {
  const keys = new Map<string, KeyResult>();
  const sorted = topologicalOrder(graph);
  if ('cycle' in sorted) {
    for (const id of sorted.cycle) keys.set(id, { error: `Node "${id}" is part of a cycle` });
    return keys;
  }
  const inputs = inputsOf(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const id of sorted.order) {
    const node = byId.get(id) as GraphNode;
    const type = registry.get(node.type);
    if (!type) {
      keys.set(id, { error: `Unknown module "${node.type}"` });
      continue;
    }
    const parsed = type.params.safeParse(node.params);
    if (!parsed.success) {
      keys.set(id, {
        error: `Invalid parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      });
      continue;
    }
    const upstream = [...(inputs.get(id) ?? [])].sort((a, b) => a.port.localeCompare(b.port));
    const blocked = upstream.find(
      ({ source }) => !keys.has(source) || 'error' in (keys.get(source) as KeyResult),
    );
    if (blocked) {
      keys.set(id, { error: `Input "${blocked.source}" is not available` });
      continue;
    }
    let fingerprint: string | undefined;
    try {
      fingerprint = await type.fingerprint?.(parsed.data, {
        openDataset: () => openDataset(node),
        savedSpec: (specId) => savedSpec?.(specId),
      });
    } catch (error) {
      keys.set(id, { error: (error as Error).message });
      continue;
    }
    keys.set(id, {
      key: digest(
        type.id,
        String(type.version),
        stableStringify(parsed.data),
        ...(fingerprint === undefined ? [] : [`fingerprint=${fingerprint}`]),
        ...upstream.map(({ source, port }) => `${port}=${(keys.get(source) as { key: string }).key}`),
        ...(type.usesRandomness ? [`seed=${seed}`] : []),
      ),
    });
  }
  return keys;
}
