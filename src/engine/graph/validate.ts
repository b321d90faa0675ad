/**
 * Graph validation: every problem names the node (or edge) and the reason,
 * so the UI can point at it and the CLI can print it in one line.
 */
import type { Graph, GraphIssue, PortSpec } from '../api';
import type { AnyNodeType } from './node-type';
import { inputsOf, topologicalOrder } from './plan';
import type { NodeTypeRegistry } from './registry';
import { taskOptionProblems } from './task-options';

const UNKNOWN_PORT: PortSpec = { colorMode: 'unknown', dims: 'unknown' };

/** Why `type` cannot take `input`, or undefined when it can. */
export function incompatibility(type: AnyNodeType, input: PortSpec): string | undefined {
  if (type.kind === 'dataset') return `${type.title} takes no input`;
  const accepts = type.accepts ?? {};
  if (accepts.colorModes && input.colorMode !== 'unknown' && !accepts.colorModes.includes(input.colorMode)) {
    return `${type.title} accepts ${accepts.colorModes.join(' or ')} images, but receives ${input.colorMode}`;
  }
  if (accepts.dims && input.dims !== 'unknown' && !accepts.dims.includes(input.dims)) {
    return `${type.title} accepts ${accepts.dims.map((d) => `${d}-D`).join(' or ')} images, but receives ${input.dims}-D`;
  }
  return undefined;
}

/** What flows out of a node of `type` given its params and what flows in. */
function outputPort(type: AnyNodeType, params: Record<string, unknown>, input: PortSpec): PortSpec {
  if (type.kind !== 'module' || !type.produces) return input;
  const parsed = type.params.safeParse(params);
  return parsed.success ? type.produces(input, parsed.data) : input;
}

/**
 * What flows out of each node, propagated from the datasets' ports (known once
 * a dataset was indexed; `unknown` before).
 */
export function portSpecs(
  graph: Graph,
  registry: NodeTypeRegistry,
  datasetPorts: ReadonlyMap<string, PortSpec> = new Map(),
): Map<string, PortSpec> {
  const specs = new Map<string, PortSpec>();
  const sorted = topologicalOrder(graph);
  if ('cycle' in sorted) return specs;
  const inputs = inputsOf(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const id of sorted.order) {
    const node = byId.get(id);
    const type = node && registry.get(node.type);
    if (!node || !type) continue;
    if (type.kind === 'dataset') {
      specs.set(id, datasetPorts.get(id) ?? UNKNOWN_PORT);
      continue;
    }
    const first = inputs.get(id)?.[0];
    const input = (first && specs.get(first.source)) ?? UNKNOWN_PORT;
    specs.set(id, outputPort(type, node.params, input));
  }
  return specs;
}

/**
 * Why a network node's saved spec (layer builder) cannot be trained: not saved
 * in the project, or made for another task than the node's. Caught here so the
 * user sees it on the node before pressing RUN.
 */
function savedSpecProblem(
  id: string | undefined,
  params: Record<string, unknown>,
  savedSpec: (id: string) => unknown,
): string | undefined {
  if (id === undefined) return undefined;
  const spec = savedSpec(id) as { task?: string } | undefined;
  if (spec === undefined) return `network "${id}" is not saved in this project: save it in the layer builder`;
  if (spec.task && typeof params.task === 'string' && spec.task !== params.task)
    return `network "${id}" is for ${spec.task}, but the node's task is ${params.task}`;
  return undefined;
}

/** Every problem of a graph: unknown types, bad params, bad edges, cycles, missing inputs, port mismatches. */
export function validateGraph(
  graph: Graph,
  registry: NodeTypeRegistry,
  datasetPorts: ReadonlyMap<string, PortSpec> = new Map(),
  savedSpec?: (id: string) => unknown,
): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const ids = new Set<string>();
  for (const node of graph.nodes) {
    if (ids.has(node.id))
      issues.push({ severity: 'error', node: node.id, message: `Node id "${node.id}" is used twice` });
    ids.add(node.id);
    const type = registry.get(node.type);
    if (!type) {
      issues.push({
        severity: 'error',
        node: node.id,
        message: `Unknown module "${node.type}" in node "${node.id}"`,
      });
      continue;
    }
    if (node.version > type.version) {
      issues.push({
        severity: 'error',
        node: node.id,
        message: `Node "${node.id}" was saved with ${type.title} version ${node.version}, newer than this app's ${type.version}`,
      });
    }
    const parsed = type.params.safeParse(node.params);
    if (!parsed.success) {
      for (const problem of parsed.error.issues) {
        issues.push({
          severity: 'error',
          node: node.id,
          message: `Node "${node.id}" (${type.title}): parameter "${problem.path.join('.')}" ${problem.message}`,
        });
      }
    } else if (type.kind === 'network') {
      const problems = type.taskOptions ? taskOptionProblems(type.taskOptions, parsed.data) : [];
      const message = savedSpec && savedSpecProblem(type.savedSpecId?.(parsed.data), parsed.data, savedSpec);
      for (const problem of message ? [...problems, message] : problems)
        issues.push({ severity: 'error', node: node.id, message: `Node "${node.id}": ${problem}` });
    }
  }

  for (const edge of graph.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!ids.has(end))
        issues.push({
          severity: 'error',
          edge: edge.id,
          message: `Edge "${edge.id}" names a missing node "${end}"`,
        });
    }
  }

  const sorted = topologicalOrder(graph);
  if ('cycle' in sorted) {
    for (const id of sorted.cycle) {
      issues.push({
        severity: 'error',
        node: id,
        message: `Node "${id}" is part of a cycle: ${sorted.cycle.join(' -> ')}`,
      });
    }
    return issues;
  }

  const inputs = inputsOf(graph);
  const specs = portSpecs(graph, registry, datasetPorts);
  for (const node of graph.nodes) {
    const type = registry.get(node.type);
    if (!type) continue;
    const connected = inputs.get(node.id) ?? [];
    const ports = type.kind === 'dataset' ? [] : type.kind === 'module' ? (type.inputs ?? ['in']) : ['in'];
    for (const port of ports) {
      const onPort = connected.filter((c) => c.port === port);
      if (onPort.length === 0) {
        issues.push({
          severity: 'error',
          node: node.id,
          message: `Node "${node.id}" (${type.title}) has no input on port "${port}"`,
        });
      } else if (onPort.length > 1) {
        issues.push({
          severity: 'error',
          node: node.id,
          message: `Node "${node.id}" has ${onPort.length} inputs on port "${port}"`,
        });
      }
    }
    for (const { source, port } of connected) {
      if (!ports.includes(port)) {
        issues.push({
          severity: 'error',
          node: node.id,
          message: `Node "${node.id}" (${type.title}) has no input port "${port}"`,
        });
        continue;
      }
      const input = specs.get(source) ?? UNKNOWN_PORT;
      const reason = incompatibility(type, input);
      if (reason)
        issues.push({
          severity: 'error',
          node: node.id,
          message: `Node "${node.id}": ${reason} from "${source}"`,
        });
      const parsed =
        type.kind === 'network' && type.inputProblem ? type.params.safeParse(node.params) : undefined;
      const problem =
        !reason && type.kind === 'network' && parsed?.success
          ? type.inputProblem?.(parsed.data, input)
          : undefined;
      if (problem)
        issues.push({ severity: 'error', node: node.id, message: `Node "${node.id}": ${problem}` });
    }
  }
  return issues;
}

/** Whether an edge from `source` to `target`'s `port` may be drawn, and why not. */
export function checkConnection(
  graph: Graph,
  registry: NodeTypeRegistry,
  source: string,
  target: string,
  port: string,
  datasetPorts: ReadonlyMap<string, PortSpec> = new Map(),
): { ok: boolean; reason?: string } {
  const sourceNode = graph.nodes.find((n) => n.id === source);
  const targetNode = graph.nodes.find((n) => n.id === target);
  if (!sourceNode || !targetNode) return { ok: false, reason: 'Both ends must be nodes of the pipeline' };
  if (source === target) return { ok: false, reason: 'A node cannot feed itself' };
  const targetType = registry.get(targetNode.type);
  if (!targetType) return { ok: false, reason: `Unknown module "${targetNode.type}"` };
  if (targetType.kind === 'dataset') return { ok: false, reason: `${targetType.title} takes no input` };
  const ports = targetType.kind === 'module' ? (targetType.inputs ?? ['in']) : ['in'];
  if (!ports.includes(port)) return { ok: false, reason: `${targetType.title} has no input port "${port}"` };
  if (graph.edges.some((e) => e.target === target && e.targetPort === port)) {
    return { ok: false, reason: `Input "${port}" of ${targetType.title} is already connected` };
  }
  const withEdge: Graph = {
    ...graph,
    edges: [...graph.edges, { id: '__probe', source, target, targetPort: port }],
  };
  if ('cycle' in topologicalOrder(withEdge))
    return { ok: false, reason: 'This connection would make a cycle' };
  const input = portSpecs(graph, registry, datasetPorts).get(source) ?? UNKNOWN_PORT;
  const reason = incompatibility(targetType, input);
  return reason ? { ok: false, reason } : { ok: true };
}
