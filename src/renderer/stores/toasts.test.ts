/** Messages over the canvas: a repeated message replaces the older one, four at most, errors stay longer. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToastsStore } from './toasts';

describe('ToastsStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the same message once, the newest last', () => {
    const store = new ToastsStore();
    store.show('error', 'Connection refused: a cycle');
    store.show('info', 'Run cancelled');
    store.show('error', 'Connection refused: a cycle');
    expect(store.toasts.map((t) => t.message)).toEqual(['Run cancelled', 'Connection refused: a cycle']);
  });

  it('keeps the four newest messages', () => {
    const store = new ToastsStore();
    for (const n of [1, 2, 3, 4, 5, 6]) store.show('info', `message ${n}`);
    expect(store.toasts.map((t) => t.message)).toEqual(['message 3', 'message 4', 'message 5', 'message 6']);
  });

  it('dismisses information after 4 s and errors after 8 s', () => {
    const store = new ToastsStore();
    store.show('success', 'RUN (All modules) finished');
    store.show('error', 'Not saved: the engine has another project open');
    vi.advanceTimersByTime(4000);
    expect(store.toasts.map((t) => t.kind)).toEqual(['error']);
    vi.advanceTimersByTime(4000);
    expect(store.toasts).toEqual([]);
  });
});
