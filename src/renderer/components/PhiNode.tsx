/**
 * One pipeline node on the canvas: category colour, title, state icon, a
 * status line and progress bar (always present, so nothing jumps while
 * running), the output shape under it, and Run / Step forward in a toolbar
 * when it is the only selected node. Memoised and observing only its own
 * status, so progress on one node re-renders that node alone.
 */
import { memo } from 'react';
import { observer } from 'mobx-react-lite';
import { Handle, NodeToolbar, Position, type Node, type NodeProps } from '@xyflow/react';
import { runModeLabel } from '../stores/runs';
import type { GraphNode, NodeStatus } from '../../engine/api';
import { categoryColor } from './colors';
import { useWorkbench } from './context';
import { Icon, type IconName } from './icons';
import { formatColorMode, formatShape } from '../stores/format';
import { withShortcut } from './shortcuts';

/** Data of a flow node: the graph node it shows. */
export type PhiNodeData = { node: GraphNode };
/** The React Flow node type of pipeline nodes. */
export type PhiFlowNode = Node<PhiNodeData, 'phi'>;

const KIND_ICON: Record<string, IconName> = { dataset: 'database', module: 'layers', network: 'brain' };

/** Status line text: what a glance at the node should tell. */
export function statusText(status: NodeStatus | undefined): string {
  switch (status?.state ?? 'idle') {
    case 'queued':
      return 'Queued';
    case 'running':
      return status?.total ? `Running ${status.done ?? 0}/${status.total}` : 'Running…';
    case 'done':
      return status?.count !== undefined
        ? `Done · ${status.sample ? 'sample of ' : ''}${status.count} item${status.count === 1 ? '' : 's'}`
        : // A network says what it kept, e.g. more epochs than now asked (its model and curves stay).
          status?.message
          ? `Done · ${status.message}`
          : 'Done';
    case 'failed':
      return status?.message ? `Failed: ${status.message}` : 'Failed';
    case 'stale':
      return status?.message ? `Out of date: ${status.message}` : 'Out of date: run again';
    default:
      // Not run, or not run to the end (a training stopped part-way says after which epoch).
      return status?.message ?? 'Not run yet';
  }
}

function StateIcon({ state }: { state: string }) {
  if (state === 'done') return <Icon name="check" className="state-icon done" />;
  if (state === 'failed') return <Icon name="x" className="state-icon failed" />;
  if (state === 'running') return <span className="spinner" aria-hidden="true" />;
  if (state === 'queued') return <Icon name="clock" className="state-icon queued" />;
  if (state === 'stale') return <Icon name="alert" className="state-icon stale" />;
  return <Icon name="dot" size={10} className="state-icon idle" />;
}

function PhiNodeView({ id, data, selected }: NodeProps<PhiFlowNode>) {
  const wb = useWorkbench();
  const node = data.node;
  const type = wb.nodeTypes.get(node.type);
  const status = wb.status.get(id);
  const state = status?.state ?? 'idle';
  const title = node.label || type?.title || node.type;
  const color = categoryColor(node.kind, type?.category ?? node.kind);
  const inputs = node.kind === 'dataset' ? [] : (type?.inputs ?? ['in']);
  const progress =
    state === 'running' && status?.total
      ? Math.min(1, (status.done ?? 0) / status.total)
      : state === 'done'
        ? 1
        : 0;
  const issue = wb.issueOf(id);
  const warnings = wb.warningsOf(id);
  const shape = status?.shape ? formatShape(status.shape) : '';

  return (
    <div
      className={`phi-node state-${state}${selected ? ' selected' : ''}`}
      style={{ ['--accent' as string]: color }}
      data-testid={`node-${id}`}
      data-state={state}
      role="group"
      aria-label={`${title}, ${statusText(status)}`}
      title={type?.description}
    >
      {inputs.map((port, i) => (
        <Handle
          key={port}
          type="target"
          id={port}
          position={Position.Left}
          style={{ top: inputs.length === 1 ? '50%' : `${((i + 1) * 100) / (inputs.length + 1)}%` }}
          aria-label={`Input ${port} of ${title}`}
          title={`Input: ${port}`}
        />
      ))}
      <div className="phi-node-head">
        <Icon name={KIND_ICON[node.kind] ?? 'layers'} size={14} className="kind-icon" />
        <div className="phi-node-titles">
          <div className="phi-node-title">{title}</div>
          <div className="phi-node-category">
            {type?.category ?? node.kind}
            {type?.origin === 'my' && <span className="tag-my">My</span>}
          </div>
        </div>
        {warnings.length > 0 && (
          <span
            className="node-warning-badge"
            data-testid={`warnings-${id}`}
            title={warnings.join('\n')}
            aria-label={`${warnings.length} warning${warnings.length === 1 ? '' : 's'}`}
          >
            <Icon name="alert" size={12} />
            {warnings.length}
          </span>
        )}
        <StateIcon state={state} />
      </div>
      <div className={`phi-node-status${issue ? ' has-issue' : ''}`} title={issue ?? status?.message}>
        {issue && state !== 'failed' ? issue : statusText(status)}
      </div>
      <div className="phi-node-progress" aria-hidden="true">
        <div className="phi-node-progress-bar" style={{ transform: `scaleX(${progress})` }} />
      </div>
      {node.kind !== 'network' && (
        <Handle
          type="source"
          id="out"
          position={Position.Right}
          aria-label={`Output of ${title}`}
          title="Output"
        />
      )}
      <div
        className="phi-node-shape"
        data-testid={`shape-${id}`}
        title="Output shape (None where item sizes differ)"
      >
        {node.kind === 'network' ? (
          <NetworkSummary id={id} />
        ) : shape ? (
          <>
            <span className="mono">{shape}</span>
            {status?.colorMode && <span className="muted"> · {formatColorMode(status.colorMode)}</span>}
          </>
        ) : (
          <span className="muted">shape —</span>
        )}
      </div>
    </div>
  );
}

/** Under a network node: the last epoch's validation loss and accuracy, when trained. */
const NetworkSummary = observer(function NetworkSummary({ id }: { id: string }) {
  const wb = useWorkbench();
  const metrics = wb.metrics.byNode.get(id);
  const last = metrics?.rows.at(-1);
  const validation = last?.validation ?? last?.train;
  if (!last || !validation) return <span className="muted">not trained</span>;
  // One figure fits under the node: accuracy where the task has it, else the loss.
  const accuracy = validation.accuracy;
  const loss = validation.loss;
  const figure =
    typeof accuracy === 'number'
      ? `val acc ${accuracy.toFixed(3)}`
      : typeof loss === 'number'
        ? `val loss ${loss.toFixed(3)}`
        : '';
  return (
    <span className="mono" title="Validation metrics of the last epoch">
      epoch {last.epoch}
      {figure ? ` · ${figure}` : ''}
    </span>
  );
});

/**
 * Run and Step forward above the one selected node. Rendered once by the
 * canvas (not inside every node), so a selection change re-renders no node.
 */
export const SelectedNodeToolbar = observer(function SelectedNodeToolbar() {
  const wb = useWorkbench();
  const node = wb.soleSelectedNode;
  if (!node) return null;
  const running = wb.running;
  return (
    <NodeToolbar nodeId={node.id} isVisible position={Position.Top} className="node-toolbar">
      <button
        type="button"
        className="btn btn-small"
        disabled={running}
        onClick={() => void wb.runNode(node.id)}
        title={withShortcut(
          running
            ? (wb.runBlockedReason ?? 'A run is in progress')
            : node.kind === 'dataset'
              ? `${runModeLabel('node')}: load the dataset and list its items`
              : `${runModeLabel('node')}: this module alone`,
          'runNode',
        )}
        aria-label="Run this module"
      >
        <Icon name="play" size={12} /> Run
      </button>
      <button
        type="button"
        className="btn btn-small"
        disabled={running}
        onClick={() => void wb.stepForward(node.id)}
        title={withShortcut(
          wb.runBlockedReason ?? 'Step forward: run this module and everything after it',
          'stepForward',
        )}
        aria-label="Step forward from this module"
      >
        <Icon name="step" size={12} /> Step forward
      </button>
    </NodeToolbar>
  );
});

/** The node component, memoised (xyflow #1620: avoid re-rendering every node). */
export const PhiNode = memo(observer(PhiNodeView));
