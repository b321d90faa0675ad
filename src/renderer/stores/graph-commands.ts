/**
 * What the user does to the graph (add, connect, move, delete, parameters,
 * copy and paste, undo and redo), as edit batches sent through the mirror; an
 * undoable batch records its inverse, computed before it is sent.
 */
import { makeObservable, observableRef, runInAction } from 'mobx';
import {
  invertGraphEdits,
  type EngineApi,
  type Graph,
  type GraphDelta,
  type GraphEdit,
  type NodeTypeDescriptor,
} from '../../engine/api';
import { EditHistory } from './edit-history';
import { errorMessage } from './format';
import { copySelection, edgeId, freshNodeId, pasteEdits, type GraphClipboard } from './graph-edits';
import type { GraphMirror } from './graph-mirror';
import type { SelectionStore } from './selection';
import type { Toast } from './toasts';

/** What the commands read and tell beyond the graph. */
export interface GraphCommandsContext {
  api: Pick<EngineApi, 'checkConnection' | 'applyTrial'>;
  mirror: GraphMirror;
  selection: SelectionStore;
  nodeTypes: () => Map<string, NodeTypeDescriptor>;
  /** Takes the engine's answer to an edit made outside the mirror (Apply trial). */
  adoptDelta: (delta: GraphDelta) => void;
  toast: (kind: Toast['kind'], message: string) => void;
}

/** The graph editing commands and their undo history. */
export class GraphCommands {
  readonly history = new EditHistory();
  private clipboard: GraphClipboard | null = null;
  private pasteCount = 0;

  constructor(private readonly context: GraphCommandsContext) {
    makeObservable<GraphCommands, 'clipboard'>(this, { clipboard: observableRef });
  }

  private get graph(): Graph {
    return this.context.mirror.graph;
  }

  /**
   * Applies edits locally at once, sends them to the engine (in order) and,
   * when `undoable`, records their inverse. The engine's snapshot is the
   * truth: on refusal the project is reloaded and the reason shown.
   */
  edit(edits: GraphEdit[], label: string, undoable = true): Promise<void> {
    if (edits.length === 0) return Promise.resolve();
    // A batch the graph cannot take has no undo: the engine refuses it with the reason.
    if (undoable && this.context.mirror.takes(edits))
      this.history.record({ label, edits, inverse: invertGraphEdits(this.graph, edits) });
    return this.context.mirror.send(edits);
  }

  /** Undoes the last step by sending its inverse edits. */
  async undo(): Promise<void> {
    const entry = this.history.takeUndo();
    if (entry) await this.context.mirror.send(entry.inverse);
  }

  /** Re-applies the last undone step. */
  async redo(): Promise<void> {
    const entry = this.history.takeRedo();
    if (entry) await this.context.mirror.send(entry.edits);
  }

  /** Adds a node of a type at a position (palette drop) and selects it; returns its id. */
  async addNode(typeId: string, position: { x: number; y: number }): Promise<string | undefined> {
    const type = this.context.nodeTypes().get(typeId);
    if (!type) return undefined;
    const id = freshNodeId(this.graph, type.id);
    await this.edit(
      [
        {
          op: 'add-node',
          node: {
            id,
            kind: type.kind,
            type: type.id,
            version: type.version,
            params: defaultParams(type),
            position,
          },
        },
      ],
      `Add ${type.title}`,
    );
    this.context.selection.setNodes([id]);
    return id;
  }

  /**
   * Connects `source` to `target`'s port after the engine's typed check;
   * a refused connection is not drawn and its reason is shown.
   */
  async connect(
    source: string,
    target: string,
    targetPort = 'in',
  ): Promise<{ ok: boolean; reason?: string }> {
    if (source === target) return this.refuse('A node cannot feed itself');
    if (
      this.graph.edges.some((e) => e.target === target && e.targetPort === targetPort && e.source === source)
    ) {
      return this.refuse('These nodes are already connected');
    }
    let check: { ok: boolean; reason?: string };
    // The engine must have every earlier edit (e.g. the node just dropped) before it judges.
    await this.context.mirror.settled();
    try {
      check = await this.context.api.checkConnection({ source, target, targetPort });
    } catch (error) {
      check = { ok: false, reason: errorMessage(error) };
    }
    if (!check.ok) return this.refuse(check.reason ?? 'These nodes cannot be connected');
    await this.edit(
      [
        {
          op: 'add-edge',
          edge: { id: this.freshEdgeId(source, target, targetPort), source, target, targetPort },
        },
      ],
      'Connect',
    );
    return { ok: true };
  }

  /** Edge ids are unique for the engine: a re-drawn edge whose id is still in the undo history gets a suffix. */
  private freshEdgeId(source: string, target: string, port: string): string {
    const base = edgeId(source, target, port);
    const taken = new Set(this.graph.edges.map((e) => e.id));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}#${i}`)) return `${base}#${i}`;
  }

  private refuse(reason: string): { ok: false; reason: string } {
    this.context.toast('error', `Connection refused: ${reason}`);
    return { ok: false, reason };
  }

  /** Deletes the selected connections and nodes (a node's edges go with it), as one step. */
  deleteSelection(): Promise<void> {
    const { selection } = this.context;
    const ids = [...selection.nodes];
    const edges = [...selection.edges].filter((id) => this.graph.edges.some((e) => e.id === id));
    selection.setEdges([]);
    selection.setNodes([]);
    const count = ids.length + edges.length;
    return this.edit(
      [
        ...edges.map((id): GraphEdit => ({ op: 'remove-edge', id })),
        ...ids.map((id): GraphEdit => ({ op: 'remove-node', id })),
      ],
      count === 1 ? (ids.length ? 'Delete node' : 'Delete connection') : `Delete ${count} items`,
    );
  }

  /** Commits node moves at the end of a drag, as one undoable step. */
  moveNodes(moves: { id: string; position: { x: number; y: number } }[], from: Graph): Promise<void> {
    const edits = moves.map((m): GraphEdit => ({ op: 'move-node', id: m.id, position: m.position }));
    // The drag already moved the nodes locally: the inverse comes from before the drag.
    this.history.record({
      label: moves.length === 1 ? 'Move node' : `Move ${moves.length} nodes`,
      edits,
      inverse: invertGraphEdits(from, edits),
    });
    return this.context.mirror.send(edits);
  }

  /**
   * Sets a node's params to `params`. The edit carries the params this window
   * showed, so the engine writes only the fields changed here and refuses one
   * that someone else changed meanwhile (said in a toast; the node then shows theirs).
   */
  setParams(id: string, params: Record<string, unknown>): Promise<void> {
    const previous = this.graph.nodes.find((n) => n.id === id)?.params;
    return this.edit(
      [{ op: 'set-params', id, params, ...(previous ? { previous } : {}) }],
      'Change parameter',
    );
  }

  /**
   * Apply (Auto Tuning): the engine sets the trial's params on the node; the
   * change is recorded as an undoable step like any parameter edit.
   */
  async applyTrial(node: string, trialId: string): Promise<void> {
    const before = this.graph.nodes.find((n) => n.id === node)?.params ?? {};
    try {
      await this.context.mirror.settled();
      const delta = await this.context.api.applyTrial({ node, trialId });
      const after = delta.nodes.find((n) => n.id === node)?.params ?? before;
      this.history.record({
        label: `Apply tuning trial ${trialId}`,
        edits: [{ op: 'set-params', id: node, params: after, previous: before }],
        inverse: [{ op: 'set-params', id: node, params: before, previous: after }],
      });
      this.context.adoptDelta(delta);
      this.context.toast('success', `Applied trial ${trialId} to ${node}`);
    } catch (error) {
      this.context.toast('error', errorMessage(error));
    }
  }

  /** Copies the selected nodes. */
  copy(): void {
    const { nodes } = this.context.selection;
    if (nodes.size === 0) return;
    runInAction(() => (this.clipboard = copySelection(this.graph, nodes)));
    this.pasteCount = 0;
  }

  /** True when Paste has something to paste. */
  get canPaste(): boolean {
    return this.clipboard !== null && this.clipboard.nodes.length > 0;
  }

  /** Pastes the clipboard, shifted so copies do not hide their originals, and selects the copies. */
  async paste(): Promise<string[]> {
    if (!this.clipboard) return [];
    this.pasteCount++;
    const taken = new Set<string>();
    const { edits, ids } = pasteEdits(
      this.clipboard,
      { x: 40 * this.pasteCount, y: 40 * this.pasteCount },
      (base) => {
        const id = freshNodeId(this.graph, base, taken);
        taken.add(id);
        return id;
      },
    );
    await this.edit(edits, ids.length === 1 ? 'Paste node' : `Paste ${ids.length} nodes`);
    this.context.selection.setNodes(ids);
    return ids;
  }
}

/** Default params of a node type from its JSON Schema `default`s. */
function defaultParams(type: NodeTypeDescriptor): Record<string, unknown> {
  const properties = (type.params.properties ?? {}) as Record<string, { default?: unknown }>;
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties))
    if (schema.default !== undefined) params[name] = schema.default;
  return params;
}
