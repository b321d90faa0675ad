/** Short messages shown over the canvas (a refused connection, a run's end), each for a few seconds. */
import { action, makeObservable, observableRef } from 'mobx';

/** One message over the canvas. */
export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  message: string;
}

/** The messages on screen, newest last. */
export class ToastsStore {
  toasts: Toast[] = [];
  private seq = 0;

  constructor() {
    makeObservable(this, { toasts: observableRef, show: action, dismiss: action });
  }

  /** Shows a message for a few seconds (errors longer). */
  show(kind: Toast['kind'], message: string): void {
    const toast = { id: ++this.seq, kind, message };
    // The same message again replaces the older one instead of stacking.
    this.toasts = [...this.toasts.filter((t) => t.message !== message).slice(-3), toast];
    setTimeout(() => this.dismiss(toast.id), kind === 'error' ? 8000 : 4000);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}
