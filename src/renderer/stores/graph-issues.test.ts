/** The graph's problems per node: first error, every warning, and only changed nodes notified. */
import { reaction } from 'mobx';
import { describe, expect, it } from 'vitest';
import type { GraphIssue } from '../../engine/api';
import { GraphIssuesStore } from './graph-issues';

const error = (node: string, message: string): GraphIssue => ({ node, severity: 'error', message });
const warning = (node: string, message: string): GraphIssue => ({ node, severity: 'warning', message });

describe('GraphIssuesStore', () => {
  it("keeps a node's first error and all its warnings, and nothing for a node without issues", () => {
    const store = new GraphIssuesStore();
    const all = [
      error('resize', 'width is below 1'),
      error('resize', 'height is below 1'),
      warning('data', '3 files skipped'),
      warning('data', 'class b has 2 items'),
    ];
    store.adopt(all);
    expect(store.issues).toBe(all);
    expect(store.errorOf('resize')).toBe('width is below 1');
    expect(store.warningsOf('data')).toEqual(['3 files skipped', 'class b has 2 items']);
    expect(store.errorOf('data')).toBeUndefined();
    expect(store.warningsOf('resize')).toEqual([]);
  });

  it('drops what the next validation no longer reports', () => {
    const store = new GraphIssuesStore();
    store.adopt([error('resize', 'width is below 1'), warning('data', '3 files skipped')]);
    store.adopt([]);
    expect(store.errorOf('resize')).toBeUndefined();
    expect(store.warningsOf('data')).toEqual([]);
  });

  it('notifies a node only when its own messages change', () => {
    const store = new GraphIssuesStore();
    store.adopt([error('a', 'a is wrong'), warning('b', 'b is odd')]);
    const seen: string[] = [];
    const stopA = reaction(
      () => [store.errorOf('a'), ...store.warningsOf('a')].join('|'),
      () => seen.push('a'),
    );
    const stopB = reaction(
      () => [store.errorOf('b'), ...store.warningsOf('b')].join('|'),
      () => seen.push('b'),
    );
    // Same messages again, in new objects: nobody re-renders.
    store.adopt([error('a', 'a is wrong'), warning('b', 'b is odd')]);
    expect(seen).toEqual([]);
    store.adopt([error('a', 'a is wrong'), warning('b', 'b is odder')]);
    expect(seen).toEqual(['b']);
    stopA();
    stopB();
  });
});
