/**
 * The network (layer) builder: a flow space of its own, opened from a
 * network node. Layer types from the engine's catalogue by category drag in;
 * connections follow the layer's input count; the Parameter panel is
 * generated from the layer's JSON Schema (the same fields as the Parameter
 * tab); shapes inferred by the engine show under each layer and on each
 * connection; an error names its layer; Save as stores the spec in the project;
 * the Networks list opens a built-in or saved spec as the starting point and
 * sets the network node to train a saved one (architecture custom).
 */
import { useMemo, useState, type DragEvent } from 'react';
import { observer } from 'mobx-react-lite';
import {
  Background,
  BackgroundVariant,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type NodeTypes,
} from '@xyflow/react';
import { LIMITS, type SavedNetworkInfo } from '../../../engine/api';
import { shapeText } from '../../stores/network-builder';
import { useWorkbench } from '../context';
import { LayerNode, type LayerFlowNode } from './LayerNode';
import { LayerPanel } from './LayerPanel';

const nodeTypes: NodeTypes = { layer: LayerNode };
/** Drag-and-drop MIME type carrying a layer type from the builder's palette. */
const LAYER_MIME = 'application/x-phi-layer-type';
/** Keys that delete the selected layers and connections (one array: React Flow re-binds its key listeners when it changes). */
const DELETE_KEYS = ['Delete', 'Backspace'];

type Size = { width: number; height: number };

const LayerPalette = observer(function LayerPalette() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const groups = new Map<string, typeof builder.catalogue>();
  for (const layer of builder.catalogue)
    groups.set(layer.category, [...(groups.get(layer.category) ?? []), layer]);
  const addBelow = (type: string) => {
    const lowest = builder.layers.reduce((y, l) => Math.max(y, l.position.y), -110);
    builder.addLayer(type, { x: 0, y: lowest + 110 });
  };
  return (
    <aside className="palette builder-palette" aria-label="Layer palette">
      <div className="panel-title">Layers</div>
      <div className="palette-list" role="list">
        {[...groups].map(([category, layers]) => (
          <section key={category} className="palette-group" aria-label={category}>
            <h3>{category}</h3>
            {layers.map((layer) => (
              <div
                key={layer.type}
                role="listitem"
                className="palette-item"
                draggable
                tabIndex={0}
                data-testid={`layer-palette-${layer.type}`}
                aria-label={`${layer.title}: drag into the network, or press Enter to add`}
                title={layer.description}
                onDragStart={(e) => {
                  e.dataTransfer.setData(LAYER_MIME, layer.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => addBelow(layer.type)}
                onKeyDown={(e) => e.key === 'Enter' && addBelow(layer.type)}
              >
                <span className="palette-item-title">{layer.title}</span>
              </div>
            ))}
          </section>
        ))}
      </div>
    </aside>
  );
});

const BuilderCanvas = observer(function BuilderCanvas() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const flow = useReactFlow();
  // Selected connections live here: only Delete needs them.
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  // Sizes React Flow measured, handed back on every render: a layer without
  // them counts as not yet measured, and React Flow then unmounts its
  // connections until it measures again, so a focused connection would lose
  // focus (and Enter, Delete with it) whenever the canvas re-renders.
  const [sizes, setSizes] = useState<ReadonlyMap<string, Size>>(new Map());
  const catalogue = builder.catalogue;
  const nodes: LayerFlowNode[] = builder.layers.map((l) => {
    const descriptor = catalogue.find((c) => c.type === l.type);
    const size = sizes.get(l.id);
    return {
      id: l.id,
      type: 'layer',
      position: l.position,
      selected: builder.selected === l.id,
      ...(size ? { measured: size } : {}),
      data: {
        layerId: l.id,
        type: l.type,
        category: descriptor?.category ?? '',
        inputs: descriptor?.inputs ?? 1,
      },
    };
  });
  const shapes = builder.check?.shapes ?? {};
  const failed = builder.failedLayers;
  const edges: Edge[] = builder.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    selected: selectedEdges.has(e.id),
    label: shapes[e.source] ? shapeText(shapes[e.source]) : undefined,
    labelBgPadding: [4, 2],
    // A connection into a layer that does not fit is red with it.
    className: failed.has(e.target) ? 'layer-edge failed' : 'layer-edge',
    ...(failed.has(e.target) ? { style: { stroke: 'var(--danger)', strokeWidth: 2 } } : {}),
  }));

  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(LAYER_MIME);
    if (!type) return;
    e.preventDefault();
    builder.addLayer(type, flow.screenToFlowPosition({ x: e.clientX - 70, y: e.clientY - 20 }));
  };

  return (
    <div className="builder-canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        colorMode="system"
        fitView
        fitViewOptions={{ padding: 0.25, maxZoom: 1 }}
        deleteKeyCode={DELETE_KEYS}
        onNodesChange={(changes) => {
          const measured = changes.flatMap((c) =>
            c.type === 'dimensions' && c.dimensions ? [{ id: c.id, size: c.dimensions }] : [],
          );
          if (measured.length > 0)
            setSizes((current) => {
              const next = new Map(current);
              for (const m of measured) next.set(m.id, m.size);
              return next;
            });
          for (const c of changes) {
            if (c.type === 'position' && c.position) builder.moveLayer(c.id, c.position);
            if (c.type === 'select' && c.selected) builder.select(c.id);
            if (c.type === 'select' && !c.selected && builder.selected === c.id) builder.select(null);
            if (c.type === 'remove') builder.removeLayer(c.id);
          }
        }}
        onEdgesChange={(changes) => {
          for (const c of changes) if (c.type === 'remove') builder.removeEdge(c.id);
          // From the latest selection, not this render's: several changes can come before a re-render.
          setSelectedEdges((current) => {
            const next = new Set(current);
            for (const c of changes) {
              if (c.type === 'select' && c.selected) next.add(c.id);
              else if (c.type === 'select' || c.type === 'remove') next.delete(c.id);
            }
            return next;
          });
        }}
        onConnect={(c) => {
          const reason = builder.connect(c.source, c.target);
          if (reason) wb.toast('error', `Connection refused: ${reason}`);
        }}
        onPaneClick={() => builder.select(null)}
        proOptions={{ hideAttribution: true }}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
});

const SaveBar = observer(function SaveBar() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const [title, setTitle] = useState(builder.name);
  const [busy, setBusy] = useState(false);
  // Why the last Save did not save: stays until the next Save.
  const [refusal, setRefusal] = useState<string | null>(null);
  const target = builder.saveTarget(title);
  const invalid = title.trim() ? null : 'Give the network a name';
  return (
    <form
      className="builder-save"
      onSubmit={(e) => {
        e.preventDefault();
        if (invalid || busy) return;
        setBusy(true);
        setRefusal(null);
        builder
          .save(title)
          .then((check) => {
            if (check.ok) {
              wb.toast('success', `Saved network "${title.trim()}" in the project`);
              return;
            }
            // What to fix, layer by layer, in the engine's words.
            const why =
              builder.saveProblem() ?? `Not saved: ${check.error?.message ?? 'the network is not valid'}`;
            setRefusal(why);
            wb.toast('error', why);
          })
          .catch((error: unknown) => {
            const why = error instanceof Error ? error.message : String(error);
            setRefusal(why);
            wb.toast('error', why);
          })
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor="builder-save-name">Save as</label>
      <input
        id="builder-save-name"
        value={title}
        maxLength={LIMITS.titleChars}
        aria-invalid={Boolean(invalid)}
        aria-describedby="builder-save-target"
        onChange={(e) => setTitle(e.target.value)}
      />
      <button type="submit" className="btn btn-primary btn-small" disabled={Boolean(invalid) || busy}>
        Save
      </button>
      <div className="field-error">{invalid ?? ''}</div>
      {!invalid && (
        <div className="muted" id="builder-save-target" data-testid="save-target">
          {target.replaces ? `Saves a new version of "${target.replaces.title}"` : 'Saves a new network'} (id{' '}
          <span className="mono">{target.id}</span>)
        </div>
      )}
      {refusal && (
        <div className="field-error" role="alert" data-testid="save-problem">
          {refusal}
        </div>
      )}
    </form>
  );
});

const SpecStatus = observer(function SpecStatus() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const problems = builder.problems;
  const problem = problems[0];
  const check = builder.check;
  // What $classes stood for: the node's data, or an assumption while there is none.
  const classes = check?.vars
    ? check.vars.fromData
      ? `${check.vars.classes} classes from the data`
      : `assuming ${check.vars.classes} classes (no data yet)`
    : '';
  return (
    <div className="builder-status" role="status" data-testid="spec-status">
      {problem ? (
        <div className="spec-error" data-testid="spec-error">
          {/* Every layer to fix, one per line, the first one first. */}
          {problems.map((p, i) => (
            <div key={i}>
              {p.layer ? <strong className="mono">{p.layer}: </strong> : null}
              {p.message}
            </div>
          ))}
        </div>
      ) : check?.ok ? (
        <div className="spec-ok">
          Valid · output ({shapeText(check.layers?.[builder.spec.output]?.shape)}) ·{' '}
          <span data-testid="param-count">{(check.parameters ?? 0).toLocaleString('en-US')}</span> parameters
          {classes ? ` · ${classes}` : ''}
        </div>
      ) : (
        <div className="muted">{builder.checking ? 'Checking…' : ''}</div>
      )}
    </div>
  );
});

const SavedList = observer(function SavedList() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const node = wb.graph.nodes.find((n) => n.id === builder.node);
  const fail = (error: unknown) => wb.toast('error', error instanceof Error ? error.message : String(error));
  const open = (network: SavedNetworkInfo) =>
    builder
      .openSpec(network.id)
      .then(() =>
        wb.toast(
          'info',
          network.builtin
            ? `Opened built-in "${network.title}": save it under a name of yours to change or train it`
            : `Opened "${network.title}"`,
        ),
      )
      .catch(fail);
  // The network node trains the saved spec from now on; its task follows the spec's.
  const use = ({ id, title }: SavedNetworkInfo) =>
    node &&
    wb
      .setParams(node.id, { ...node.params, architecture: 'custom', customSpec: id, task: builder.task })
      .then(() => {
        // A refused edit has already said why (setParams toasts it).
        if (wb.graph.nodes.find((n) => n.id === node.id)?.params.customSpec === id)
          wb.toast('success', `${node.label || node.id} now trains "${title}"`);
      })
      .catch(fail);
  return (
    <section className="builder-saved" aria-label="Networks">
      <h3>Networks</h3>
      <ul>
        {builder.saved.map((s) => (
          <li key={s.id} title={`id ${s.id}`}>
            <span>{s.title}</span>{' '}
            {s.builtin ? <span className="muted">built-in</span> : <span className="tag-my">My</span>}{' '}
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Open ${s.title}`}
              onClick={() => void open(s)}
            >
              Open
            </button>
            {!s.builtin && node && (
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Use ${s.title} in ${node.id}`}
                title={`Train "${s.title}" in ${node.label || node.id} (architecture custom)`}
                onClick={() => void use(s)}
              >
                Use
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
});

function NetworkBuilderView() {
  const wb = useWorkbench();
  const builder = wb.builder;
  const title = useMemo(() => builder.node, [builder.node]);
  return (
    <div className="modal-backdrop">
      <div
        className="builder-window"
        role="dialog"
        aria-modal="true"
        aria-labelledby="builder-title"
        onKeyDown={(e) => e.key === 'Escape' && builder.close()}
      >
        <header className="editor-head">
          <div>
            <h2 id="builder-title">Network builder</h2>
            <div className="panel-head-sub">
              For <span className="mono">{title}</span> · {builder.task}
              {builder.opened ? (
                <>
                  {' '}
                  · from <span className="mono">{builder.opened.id}</span>
                  {builder.opened.builtin ? ' (built-in)' : ''}
                </>
              ) : null}{' '}
              · drag layers in, connect them top to bottom
            </div>
          </div>
          <SpecStatus />
          <div className="editor-actions">
            <button type="button" className="btn" onClick={() => builder.close()}>
              Close
            </button>
          </div>
        </header>
        <div className="builder-body">
          <LayerPalette />
          <ReactFlowProvider>
            <BuilderCanvas />
          </ReactFlowProvider>
          <aside className="builder-side" aria-label="Layer parameters">
            <LayerPanel />
            {/* Re-mounted when a spec is opened or saved, so the field shows the new name. */}
            <SaveBar key={builder.name} />
            <SavedList />
          </aside>
        </div>
      </div>
    </div>
  );
}

/** See the module comment. */
export const NetworkBuilder = observer(NetworkBuilderView);
