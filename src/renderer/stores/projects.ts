/**
 * Project-level UI state: the recent projects (the engine's list, so the
 * desktop window and every browser on `phi serve` see the same), which
 * project dialog is open (New project, Open), and when the engine last wrote
 * an edit, for the "Saved" indicator. The engine writes every edit to the
 * `.phiproj` at once; nothing waits for a save.
 */
import { action, computed, makeObservable, observable, observableRef } from 'mobx';

/** The project dialogs. */
export type ProjectDialog = 'new' | 'open';

/** See the module comment. */
export class ProjectsStore {
  /** Project files opened or created here, newest first (paths on the engine's machine). */
  recent: string[] = [];
  dialog: ProjectDialog | null = null;
  /** When the engine last confirmed a write of this project (ms since the epoch), or null since opening. */
  savedAt: number | null = null;
  /** Writes sent and not answered yet. */
  writing = 0;

  constructor() {
    makeObservable(this, {
      recent: observableRef,
      dialog: observable,
      savedAt: observable,
      writing: observable,
      savedLabel: computed,
      setRecent: action,
      opened: action,
      forget: action,
      openDialog: action,
      closeDialog: action,
      writeStarted: action,
      writeEnded: action,
    });
  }

  /** The engine's recent list (`listRecentProjects`). */
  setRecent(paths: string[]): void {
    this.recent = paths;
  }

  /** A project was opened or created: first in the recent list at once, nothing unsaved. */
  opened(path: string): void {
    this.recent = [path, ...this.recent.filter((p) => p !== path)];
    this.savedAt = null;
    this.writing = 0;
  }

  /** Drops a path from the shown list (it could not be opened; the engine leaves out missing files). */
  forget(path: string): void {
    this.recent = this.recent.filter((p) => p !== path);
  }

  openDialog(kind: ProjectDialog): void {
    this.dialog = kind;
  }

  closeDialog(): void {
    this.dialog = null;
  }

  writeStarted(): void {
    this.writing++;
  }

  /** A write was answered; `saved` when the engine wrote it. */
  writeEnded(saved: boolean, at = Date.now()): void {
    this.writing = Math.max(0, this.writing - 1);
    if (saved) this.savedAt = at;
  }

  /** The indicator's text: `Saving…`, `Saved 14:05:09`, or `Saved` right after opening. */
  get savedLabel(): string {
    if (this.writing > 0) return 'Saving…';
    return this.savedAt === null ? 'Saved' : `Saved ${clockTime(this.savedAt)}`;
  }
}

/** `14:05:09` in the user's locale. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The file name of a path from the engine's machine (either separator). */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}
