/** Undo and redo history: order, redo cleared by a new step, the oldest step dropped beyond the limit. */
import { describe, expect, it } from 'vitest';
import type { GraphEdit } from '../../engine/api';
import { EditHistory, type HistoryEntry } from './edit-history';

function step(label: string): HistoryEntry {
  const edits: GraphEdit[] = [{ op: 'move-node', id: label, position: { x: 1, y: 1 } }];
  const inverse: GraphEdit[] = [{ op: 'move-node', id: label, position: { x: 0, y: 0 } }];
  return { label, edits, inverse };
}

describe('EditHistory', () => {
  it('undoes the newest step first and redoes in the reverse order', () => {
    const history = new EditHistory();
    history.record(step('a'));
    history.record(step('b'));
    expect(history.undoLabel).toBe('b');
    expect(history.takeUndo()?.label).toBe('b');
    expect(history.takeUndo()?.label).toBe('a');
    expect(history.takeUndo()).toBeUndefined();
    expect(history.canUndo).toBe(false);
    expect(history.redoLabel).toBe('a');
    expect(history.takeRedo()?.label).toBe('a');
    expect(history.takeRedo()?.label).toBe('b');
    expect(history.canRedo).toBe(false);
    expect(history.undoLabel).toBe('b');
  });

  it('forgets what could be redone once a new step is recorded', () => {
    const history = new EditHistory();
    history.record(step('a'));
    history.takeUndo();
    expect(history.canRedo).toBe(true);
    history.record(step('c'));
    expect(history.canRedo).toBe(false);
    expect(history.takeUndo()?.label).toBe('c');
    expect(history.takeUndo()).toBeUndefined();
  });

  it('keeps the newest steps up to its limit', () => {
    const history = new EditHistory(3);
    for (const label of ['a', 'b', 'c', 'd', 'e']) history.record(step(label));
    const undone: string[] = [];
    for (let entry = history.takeUndo(); entry; entry = history.takeUndo()) undone.push(entry.label);
    expect(undone).toEqual(['e', 'd', 'c']);
  });

  it('clear empties both sides (a project opened)', () => {
    const history = new EditHistory();
    history.record(step('a'));
    history.record(step('b'));
    history.takeUndo();
    history.clear();
    expect([history.canUndo, history.canRedo]).toEqual([false, false]);
  });
});
