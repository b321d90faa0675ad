/**
 * Types of the few browser globals that the browser tests' `page.evaluate`
 * callbacks touch. The e2e code is compiled without the DOM library (it runs
 * in Node), so callbacks cast `globalThis` to this; the cast vanishes when
 * the callback is serialised to the page.
 */
import type { Graph } from '../../src/engine/api';

/** An element as the tests read it. */
export interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  complete?: boolean;
  naturalWidth?: number;
  naturalHeight?: number;
}

/** The page's globals used by the tests. */
export interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; body: unknown };
  /** The renderer's root store, exposed by main.tsx for tests and benchmarks. */
  __phi: {
    graph: Graph;
    /** The Logs tab's lines (src/renderer/stores/logs-store.ts). */
    logs: { lines: { level: string; message: string; node?: string }[] };
    selection: Set<string>;
    setSelection(ids: string[]): void;
    /** The network builder's store (src/renderer/stores/network-builder.ts). */
    builder: {
      layers: { id: string; params: Record<string, unknown> }[];
      setParams(id: string, params: Record<string, unknown>): void;
    };
  };
  __seen: string[];
  MutationObserver: new (callback: () => void) => {
    observe(target: unknown, options: Record<string, boolean>): void;
  };
  getComputedStyle(element: unknown): { backgroundColor: string };
}
