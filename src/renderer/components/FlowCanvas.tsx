/**
 * The flow space: the project graph drawn with React Flow, in controlled
 * mode over the store. Moves are applied locally while dragging and sent as
 * one undoable edit on release; connections go through the engine's typed
 * check; nodes come from the palette by drag and drop.
 */
import {
  useCallback,
  useRef,
  useState,
  useSyncExternalStore,
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
} from 'react';
import { observer } from 'mobx-react-lite';
import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
} from '@xyflow/react';
import type { Graph, GraphEdge, GraphNode } from '../../engine/api';
import { categoryColor } from './colors';
import { useWorkbench } from './context';
import { Icon } from './icons';
import { NodeContextMenu } from './NodeContextMenu';
import { PhiNode, SelectedNodeToolbar, type PhiFlowNode } from './PhiNode';

/** Built once at module scope (xyflow #2045: a new object each render re-mounts every node). */
const nodeTypes: NodeTypes = { phi: PhiNode };

/** Drag-and-drop MIME type carrying a node type id from the palette. */
export const NODE_TYPE_MIME = 'application/x-phi-node-type';

type Size = { width: number; height: number };
type XY = { x: number; y: number };

/** React Flow nodes for graph nodes, reusing objects whose inputs did not change. */
function useFlowNodes(
  nodes: GraphNode[],
  selection: Set<string>,
  sizes: Map<string, Size>,
  dragged: Map<string, XY> | null,
): PhiFlowNode[] {
  const cache = useRef(
    new WeakMap<GraphNode, { selected: boolean; size?: Size; position: XY; flow: PhiFlowNode }>(),
  );
  return nodes.map((node) => {
    const selected = selection.has(node.id);
    const size = sizes.get(node.id);
    const position = dragged?.get(node.id) ?? node.position;
    const hit = cache.current.get(node);
    if (hit && hit.selected === selected && hit.size === size && hit.position === position) return hit.flow;
    const flow: PhiFlowNode = {
      id: node.id,
      type: 'phi',
      position,
      data: { node },
      selected,
      ...(size ? { measured: size } : {}),
    };
    cache.current.set(node, { selected, size, position, flow });
    return flow;
  });
}

/** React Flow edges for graph edges, reusing objects whose inputs did not change (drags re-render no edge). */
function useFlowEdges(edges: GraphEdge[], selection: Set<string>, running: Set<string>): Edge[] {
  const cache = useRef(new WeakMap<GraphEdge, Edge>());
  return edges.map((e) => {
    const selected = selection.has(e.id);
    const animated = running.has(e.target);
    const hit = cache.current.get(e);
    if (hit && hit.selected === selected && hit.animated === animated) return hit;
    const flow: Edge = {
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'out',
      targetHandle: e.targetPort,
      selected,
      animated,
      ariaLabel: `Connection from ${e.source} to ${e.target}`,
    };
    cache.current.set(e, flow);
    return flow;
  });
}

/** Windows at least this wide show the minimap by default (narrower ones, such as 1280x800, would lose nodes under it). */
const WIDE = window.matchMedia('(min-width: 1440px)');
const isWide = (): boolean => WIDE.matches;
function onWideChange(changed: () => void): () => void {
  WIDE.addEventListener('change', changed);
  return () => WIDE.removeEventListener('change', changed);
}

function FlowCanvasView() {
  const wb = useWorkbench();
  const flow = useReactFlow();
  const [sizes, setSizes] = useState(() => new Map<string, Size>());
  const [menu, setMenu] = useState<{ x: number; y: number; id: string } | null>(null);
  // The minimap covers part of a small canvas: shown only where the window is wide, until the user chooses.
  const wide = useSyncExternalStore(onWideChange, isWide);
  const [chosen, setChosen] = useState<boolean | null>(null);
  const minimap = chosen ?? wide;
  // Positions while a drag is in progress stay in this component: nothing else re-renders per pointer move.
  const [dragged, setDragged] = useState<Map<string, XY> | null>(null);
  const dragStart = useRef<Graph | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const selection = new Set(wb.selection);
  const nodes = useFlowNodes(wb.graph.nodes, selection, sizes, dragged);
  const running = new Set(wb.run?.nodes.filter((id) => wb.status.get(id)?.state === 'running') ?? []);
  const edges = useFlowEdges(wb.graph.edges, wb.edgeSelection, running);

  const onNodesChange = useCallback(
    (changes: NodeChange<PhiFlowNode>[]) => {
      let nextSizes: Map<string, Size> | null = null;
      let nextSelection: Set<string> | null = null;
      const moves: { id: string; position: XY }[] = [];
      for (const change of changes) {
        if (change.type === 'dimensions' && change.dimensions) {
          nextSizes ??= new Map(sizes);
          nextSizes.set(change.id, change.dimensions);
        } else if (change.type === 'select') {
          nextSelection ??= new Set(wb.selection);
          if (change.selected) nextSelection.add(change.id);
          else nextSelection.delete(change.id);
        } else if (change.type === 'position' && change.position) {
          moves.push({ id: change.id, position: change.position });
        }
      }
      if (nextSizes) setSizes(nextSizes);
      if (nextSelection) wb.setSelection(nextSelection);
      // While dragging, moves are local only; the edit is sent once on release.
      if (moves.length) {
        setDragged((current) => {
          const next = new Map(current ?? []);
          for (const m of moves) next.set(m.id, m.position);
          return next;
        });
      }
    },
    [wb, sizes],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const next = new Set(wb.edgeSelection);
      for (const change of changes) {
        if (change.type !== 'select') continue;
        if (change.selected) next.add(change.id);
        else next.delete(change.id);
      }
      wb.setEdgeSelection(next);
    },
    [wb],
  );

  const onNodeDragStart = useCallback(() => {
    dragStart.current = wb.graph;
  }, [wb]);

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: PhiFlowNode, dragged: PhiFlowNode[]) => {
      const before = dragStart.current;
      dragStart.current = null;
      setDragged(null);
      if (!before) return;
      const moves = dragged
        .map((n) => ({ id: n.id, position: n.position }))
        .filter((m) => {
          const old = before.nodes.find((n) => n.id === m.id)?.position;
          return old && (old.x !== m.position.x || old.y !== m.position.y);
        });
      if (moves.length) void wb.moveNodes(moves, before);
    },
    [wb],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (c) => c.source !== c.target && !!c.target && !!c.source,
    [],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.source && c.target) void wb.connect(c.source, c.target, c.targetHandle ?? 'in');
    },
    [wb],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const typeId = event.dataTransfer.getData(NODE_TYPE_MIME);
      if (!typeId) return;
      event.preventDefault();
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      void wb.addNode(typeId, { x: Math.round(position.x - 100), y: Math.round(position.y - 30) });
    },
    [wb, flow],
  );

  const onNodeContextMenu = useCallback(
    (event: ReactMouseEvent, node: PhiFlowNode) => {
      event.preventDefault();
      if (!wb.selection.has(node.id)) wb.setSelection([node.id]);
      const box = wrapper.current?.getBoundingClientRect();
      setMenu({ x: event.clientX - (box?.left ?? 0), y: event.clientY - (box?.top ?? 0), id: node.id });
    },
    [wb],
  );

  const closeMenu = useCallback(() => setMenu(null), []);

  const minimapColor = useCallback(
    (n: PhiFlowNode) => {
      const type = wb.nodeTypes.get(n.data.node.type);
      return categoryColor(n.data.node.kind, type?.category ?? n.data.node.kind);
    },
    [wb],
  );

  return (
    <div
      className="flow"
      ref={wrapper}
      onDragOver={onDragOver}
      onDrop={onDrop}
      aria-label="Flow space"
      role="region"
    >
      <ReactFlow<PhiFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeContextMenu={onNodeContextMenu}
        onPaneClick={closeMenu}
        onPaneContextMenu={(e) => e.preventDefault()}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Control', 'Meta']}
        colorMode="system"
        minZoom={0.1}
        maxZoom={2.5}
        fitView
        // Fit never shrinks nodes below readable size: a large pipeline is panned instead.
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2, minZoom: 0.6 }}
        proOptions={{ hideAttribution: true }}
        onlyRenderVisibleElements={wb.graph.nodes.length > 120}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls showInteractive={false} aria-label="Zoom controls">
          <ControlButton
            onClick={() => setChosen(!minimap)}
            title={minimap ? 'Hide the minimap' : 'Show the minimap'}
            aria-label={minimap ? 'Hide the minimap' : 'Show the minimap'}
            aria-pressed={minimap}
            data-testid="minimap-toggle"
          >
            <Icon name="layers" size={12} />
          </ControlButton>
        </Controls>
        {minimap && <MiniMap pannable zoomable nodeColor={minimapColor} ariaLabel="Minimap" />}
        <SelectedNodeToolbar />
      </ReactFlow>
      {menu && <NodeContextMenu x={menu.x} y={menu.y} nodeId={menu.id} onClose={closeMenu} />}
    </div>
  );
}

/** See the module comment. */
export const FlowCanvas = observer(FlowCanvasView);
