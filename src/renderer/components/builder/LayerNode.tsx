/** One layer in the network builder: type, id, and its inferred output shape (or its error). */
import { memo } from 'react';
import { observer } from 'mobx-react-lite';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { shapeText } from '../../stores/network-builder';
import { useWorkbench } from '../context';

/** Data of a layer node: its id and type (shape and errors are read from the store). */
export type LayerNodeData = { layerId: string; type: string; category: string; inputs: 0 | 1 | 'many' };
/** The React Flow node type of layers. */
export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

function LayerNodeView({ data, selected }: NodeProps<LayerFlowNode>) {
  const wb = useWorkbench();
  const builder = wb.builder;
  // Shape and weights as the engine compiled them; a layer that does not fit says why on hover.
  const summary = builder.check?.layers?.[data.layerId];
  const shape = summary?.shape ?? builder.check?.shapes[data.layerId];
  const problem = builder.problems.find((p) => p.layer === data.layerId);
  const failed = builder.failedLayers.has(data.layerId);
  return (
    <div
      className={`layer-node${selected ? ' selected' : ''}${failed ? ' failed' : ''}`}
      data-testid={`layer-${data.layerId}`}
      data-category={data.category}
      title={problem?.message}
    >
      {data.inputs !== 0 && <Handle type="target" position={Position.Top} />}
      <div className="layer-node-type">{data.type}</div>
      <div className="layer-node-id mono">{data.layerId}</div>
      <div className="layer-node-shape mono" data-testid={`layer-shape-${data.layerId}`}>
        {shape ? `(${shapeText(shape)})` : failed ? 'does not fit' : ''}
      </div>
      {summary && summary.parameters > 0 && (
        <div className="layer-node-id layer-node-params mono" data-testid={`layer-params-${data.layerId}`}>
          {summary.parameters.toLocaleString('en-US')} params
        </div>
      )}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

/** See the module comment. */
export const LayerNode = memo(observer(LayerNodeView));
