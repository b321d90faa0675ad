/** Undo and redo: each step keeps the edits sent and the edits that undo them. */
import { action, computed, makeObservable, observableShallow } from 'mobx';
import type { GraphEdit } from '../../engine/api';

/** One undoable step: what was sent and what undoes it. */
export interface HistoryEntry {
  label: string;
  edits: GraphEdit[];
  inverse: GraphEdit[];
}

/** The steps that can be undone and redone, the oldest dropped beyond `limit`. */
export class EditHistory {
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];

  constructor(private readonly limit = 200) {
    makeObservable<EditHistory, 'undoStack' | 'redoStack'>(this, {
      undoStack: observableShallow,
      redoStack: observableShallow,
      canUndo: computed,
      canRedo: computed,
      record: action,
      takeUndo: action,
      takeRedo: action,
      clear: action,
    });
  }

  /** A new step: it can be undone, and nothing undone before can be redone any more. */
  record(entry: HistoryEntry): void {
    this.undoStack.push(entry);
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack.splice(0);
  }

  /** The step to undo (moved to the redo side), or undefined when there is none. */
  takeUndo(): HistoryEntry | undefined {
    const entry = this.undoStack.pop();
    if (entry) this.redoStack.push(entry);
    return entry;
  }

  /** The step to redo (moved back to the undo side), or undefined when there is none. */
  takeRedo(): HistoryEntry | undefined {
    const entry = this.redoStack.pop();
    if (entry) this.undoStack.push(entry);
    return entry;
  }

  clear(): void {
    this.undoStack.splice(0);
    this.redoStack.splice(0);
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Label of what Undo would undo, for the tooltip. */
  get undoLabel(): string | undefined {
    return this.undoStack.at(-1)?.label;
  }

  /** Label of what Redo would redo. */
  get redoLabel(): string | undefined {
    return this.redoStack.at(-1)?.label;
  }
}
