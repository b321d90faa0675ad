/**
 * Graph edits checked against what they change, before the store sees them:
 * params against the node type's schema (an unknown name is refused with the
 * list of valid ones, a bad value with zod's reason), `set-params` merged per
 * field with the node's current params (api/params-merge.ts) and
 * `set-label` compared with the label its sender saw. A field someone else
 * changed meanwhile refuses the whole batch with a message to its sender:
 * nothing is lost without a word. The result is a batch of plain edits
 * (whole params objects) for the store.
 */
import type { z } from 'zod';
import { mergeParams, type Graph, type GraphEdit, type GraphNode } from '../api';
import { unknownParamName } from '../graph/param-names';
import type { NodeTypeRegistry } from '../graph/registry';

/** Short JSON of a value for a message. */
function shown(value: unknown): string {
  if (value === undefined) return 'unset';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks `edits` against `graph` and returns them ready for the store; throws
 * an Error fit to show. `explain` words a missing node type (not trusted...).
 */
export function resolveEdits(
  graph: Graph,
  registry: NodeTypeRegistry,
  edits: GraphEdit[],
  explain: (message: string) => string,
): GraphEdit[] {
  // Later edits of one batch see earlier ones.
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const checkParams = (node: GraphNode, params: Record<string, unknown>) => {
    const type = registry.get(node.type);
    if (!type) throw new Error(explain(`Unknown module "${node.type}" in node "${node.id}"`));
    const shape = (type.params as z.ZodObject).shape as Record<string, z.ZodType>;
    const unknown = unknownParamName(type.params as z.ZodObject, params);
    if (unknown)
      throw new Error(
        `Node "${node.id}" (${type.title}) has no parameter "${unknown.name}"; its parameters are ${unknown.valid.join(', ') || 'none'}`,
      );
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      const checked = shape[name].safeParse(value);
      if (!checked.success)
        throw new Error(
          `Parameter "${name}" of node "${node.id}" cannot be ${shown(value)}: ${checked.error.issues[0]?.message ?? 'invalid'}`,
        );
    }
  };
  return edits.map((edit): GraphEdit => {
    switch (edit.op) {
      case 'add-node':
        if (registry.get(edit.node.type)) checkParams(edit.node, edit.node.params);
        nodes.set(edit.node.id, edit.node);
        return edit;
      case 'remove-node':
        nodes.delete(edit.id);
        return edit;
      case 'set-params': {
        const node = nodes.get(edit.id);
        if (!node) return edit; // the store names the missing node
        const merged = mergeParams(node.params, edit);
        if (!merged.ok)
          throw new Error(
            `Parameter "${merged.field}" of node "${node.id}" was changed to ${shown(merged.now)} by someone else while you edited it; your value ${shown(merged.yours)} was not applied`,
          );
        checkParams(node, Object.fromEntries(merged.changed.map((f) => [f, merged.params[f]])));
        nodes.set(node.id, { ...node, params: merged.params });
        return { op: 'set-params', id: edit.id, params: merged.params };
      }
      case 'set-label': {
        const node = nodes.get(edit.id);
        if (!node) return edit;
        const now = node.label ?? '';
        if (edit.previous !== undefined && now !== edit.previous && now !== edit.label)
          throw new Error(
            `The label of node "${node.id}" was changed to ${shown(now)} by someone else while you edited it; your label ${shown(edit.label)} was not applied`,
          );
        nodes.set(node.id, { ...node, label: edit.label });
        return { op: 'set-label', id: edit.id, label: edit.label };
      }
      default:
        return edit;
    }
  });
}
