/** Which nodes and connections are selected on the canvas, and what the panels show of them. */
import { action, computed, computedStruct, makeObservable, observable, type ObservableSet } from 'mobx';
import type { Graph, GraphNode } from '../../engine/api';

/** The selection over the graph `graphOf` returns (the store's mirror). */
export class SelectionStore {
  readonly nodes = observable.set<string>();
  /** Selected connections (Delete removes them with the selected nodes). */
  readonly edges = observable.set<string>();

  constructor(private readonly graphOf: () => Graph) {
    makeObservable(this, {
      selectedNode: computed,
      soleSelectedNode: computedStruct,
      select: action,
      setNodes: action,
      setEdges: action,
      keepExisting: action,
    });
  }

  /** Selects one node (or toggles it with `additive`). */
  select(id: string, additive = false): void {
    if (!additive) this.nodes.clear();
    if (additive && this.nodes.has(id)) this.nodes.delete(id);
    else this.nodes.add(id);
  }

  /** Replaces the selected nodes (no change, no notification). */
  setNodes(ids: Iterable<string>): void {
    replaceIfChanged(this.nodes, ids);
  }

  /** Replaces the selected connections. */
  setEdges(ids: Iterable<string>): void {
    replaceIfChanged(this.edges, ids);
  }

  /** Drops selected nodes the graph no longer has. */
  keepExisting(): void {
    const graph = this.graphOf();
    for (const id of [...this.nodes]) if (!graph.nodes.some((n) => n.id === id)) this.nodes.delete(id);
  }

  /** The node a panel shows: the single selected node. */
  get selectedNode(): GraphNode | undefined {
    if (this.nodes.size !== 1) return undefined;
    const [id] = this.nodes;
    return this.graphOf().nodes.find((n) => n.id === id);
  }

  /** The one selected node's id and kind (stable while it is dragged), for its toolbar. */
  get soleSelectedNode(): { id: string; kind: GraphNode['kind'] } | undefined {
    const node = this.selectedNode;
    return node ? { id: node.id, kind: node.kind } : undefined;
  }

  /** The selected node and the nodes feeding it: whose items the Files and View tabs show. */
  get nodesShown(): string[] {
    const node = this.selectedNode;
    if (!node) return [];
    return [
      node.id,
      ...this.graphOf()
        .edges.filter((e) => e.target === node.id)
        .map((e) => e.source),
    ];
  }
}

function replaceIfChanged(set: ObservableSet<string>, ids: Iterable<string>): void {
  const next = new Set(ids);
  if (next.size === set.size && [...next].every((id) => set.has(id))) return;
  set.replace(next);
}
