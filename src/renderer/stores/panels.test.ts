/** The panels' tabs: the error gallery's click opens the item in the View tab; opening Logs marks its errors seen. */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/api';
import { LogsStore } from './logs-store';
import { PanelsStore } from './panels';
import { SelectionStore } from './selection';

const empty: Graph = { nodes: [], edges: [] };

describe('PanelsStore', () => {
  it('opens one item of a node in the View tab, selecting that node alone', () => {
    const selection = new SelectionStore(() => empty);
    const panels = new PanelsStore(selection, new LogsStore());
    selection.setNodes(['data', 'resize']);
    panels.openInView('network', 'b/3.png');
    expect([...selection.nodes]).toEqual(['network']);
    expect(panels.rightTab).toBe('view');
    expect(panels.viewItem).toEqual({ node: 'network', sampleId: 'b/3.png' });
  });

  it('clears the Logs badge only when the Logs tab opens', () => {
    const logs = new LogsStore();
    const panels = new PanelsStore(new SelectionStore(() => empty), logs);
    logs.add('error', 'Edit refused: width is below 1');
    panels.setBottomTab('output');
    expect(logs.unseenErrors).toBe(1);
    panels.setBottomTab('logs');
    expect(logs.unseenErrors).toBe(0);
    expect(panels.bottomTab).toBe('logs');
  });
});
