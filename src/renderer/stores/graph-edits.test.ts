/** Copy and paste of a selection: fresh ids, shifted positions, edges re-pointed to the copies. */
import { describe, expect, it } from 'vitest';
import { applyGraphEdits as applyEdits, type Graph, type GraphNode } from '../../engine/api';
import { copySelection, freshNodeId, pasteEdits } from './graph-edits';

function node(id: string, x = 0, params: Record<string, unknown> = {}): GraphNode {
  return {
    id,
    kind: id === 'ds' ? 'dataset' : 'module',
    type: id.replace(/-\d+$/, ''),
    version: 1,
    params,
    position: { x, y: 0 },
  };
}

const base: Graph = {
  nodes: [node('ds'), node('resize', 200, { width: 64 }), node('gray', 400), node('blur', 600, { sigma: 1 })],
  edges: [
    { id: 'e1', source: 'ds', target: 'resize', targetPort: 'in' },
    { id: 'e2', source: 'resize', target: 'gray', targetPort: 'in' },
    { id: 'e3', source: 'gray', target: 'blur', targetPort: 'in' },
  ],
};

describe('copy and paste', () => {
  it('copies the selected nodes with only the edges between them', () => {
    const clip = copySelection(base, ['resize', 'gray']);
    expect(clip.nodes.map((n) => n.id)).toEqual(['resize', 'gray']);
    expect(clip.edges.map((e) => e.id)).toEqual(['e2']);
  });

  it('pastes with fresh ids, shifted positions and re-pointed edges', () => {
    const clip = copySelection(base, ['resize', 'gray']);
    const taken = new Set<string>();
    const { edits, ids } = pasteEdits(clip, { x: 40, y: 40 }, (b) => {
      const id = freshNodeId(base, b, taken);
      taken.add(id);
      return id;
    });
    expect(ids).toEqual(['resize-1', 'gray-1']);
    const pasted = applyEdits(base, edits);
    expect(pasted.nodes).toHaveLength(6);
    expect(pasted.nodes.find((n) => n.id === 'resize-1')).toMatchObject({
      params: { width: 64 },
      position: { x: 240, y: 40 },
    });
    expect(pasted.edges.filter((e) => e.source === 'resize-1')).toEqual([
      { id: 'resize-1->gray-1:in', source: 'resize-1', target: 'gray-1', targetPort: 'in' },
    ]);
    // The copy's params are its own: editing them leaves the original alone.
    (pasted.nodes.find((n) => n.id === 'resize-1')!.params as { width: number }).width = 1;
    expect(base.nodes[1].params).toEqual({ width: 64 });
  });

  it('freshNodeId skips ids in use', () => {
    const graph = applyEdits(base, [{ op: 'add-node', node: node('resize-1') }]);
    expect(freshNodeId(graph, 'resize')).toBe('resize-2');
    expect(freshNodeId(graph, 'my module!')).toBe('my-module-1');
  });
});
