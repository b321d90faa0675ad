/** Node states: live events win over a snapshot during a run, stale marks, removed nodes forgotten. */
import { describe, expect, it } from 'vitest';
import { NodeStatesStore } from './node-states';

describe('NodeStatesStore', () => {
  it('takes every state from a snapshot when no run goes on', () => {
    const store = new NodeStatesStore();
    store.patch('a', { state: 'running', done: 3, total: 10 });
    store.adopt({ a: { state: 'done' }, b: { state: 'idle' } }, false);
    expect(store.status.get('a')).toEqual({ state: 'done' });
    expect(store.status.get('b')).toEqual({ state: 'idle' });
  });

  it('keeps the live state of a node during a run and takes only unknown nodes', () => {
    const store = new NodeStatesStore();
    store.patch('a', { state: 'running', done: 3, total: 10 });
    store.adopt({ a: { state: 'queued' }, b: { state: 'idle' } }, true);
    expect(store.status.get('a')).toEqual({ state: 'running', done: 3, total: 10 });
    expect(store.status.get('b')).toEqual({ state: 'idle' });
  });

  it('patches fields over the current state, an unknown node starting idle', () => {
    const store = new NodeStatesStore();
    store.patch('a', { done: 1, total: 4 });
    expect(store.status.get('a')).toEqual({ state: 'idle', done: 1, total: 4 });
    store.patch('a', { state: 'running' });
    expect(store.status.get('a')).toEqual({ state: 'running', done: 1, total: 4 });
  });

  it('marks stale only nodes that have results, leaving idle and unknown nodes alone', () => {
    const store = new NodeStatesStore();
    store.patch('done', { state: 'done', shape: [null, 8, 8, 1] });
    store.patch('idle', { state: 'idle' });
    store.markStale(['done', 'idle', 'unknown']);
    expect(store.status.get('done')).toEqual({ state: 'stale', shape: [null, 8, 8, 1] });
    expect(store.status.get('idle')).toEqual({ state: 'idle' });
    expect(store.status.has('unknown')).toBe(false);
  });

  it('forgets every node but those of the graph', () => {
    const store = new NodeStatesStore();
    store.adopt({ a: { state: 'done' }, gone: { state: 'done' } }, false);
    store.keepOnly(['a']);
    expect([...store.status.keys()]).toEqual(['a']);
  });

  it('counts file-state changes per node, so the Files tab refetches', () => {
    const store = new NodeStatesStore();
    store.filesChanged('a');
    store.filesChanged('a');
    store.filesChanged('b');
    expect([store.filesVersion.get('a'), store.filesVersion.get('b')]).toEqual([2, 1]);
  });
});
