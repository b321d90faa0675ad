/**
 * Every node's state as the engine reports it (idle, queued, running with
 * progress, done, failed, stale; its output's shape), and a per-node counter
 * the Files tab refetches on.
 */
import { action, makeObservable, observable } from 'mobx';
import type { NodeStatus } from '../../engine/api';

/** Node states by node id. */
export class NodeStatesStore {
  readonly status = observable.map<string, NodeStatus>();
  /** Bumped per node when its file states change, so the Files tab refetches. */
  readonly filesVersion = observable.map<string, number>();

  constructor() {
    makeObservable(this, {
      patch: action,
      adopt: action,
      forget: action,
      keepOnly: action,
      markStale: action,
      filesChanged: action,
      clear: action,
    });
  }

  /** Changes some fields of a node's state (an unknown node starts idle). */
  patch(id: string, patch: Partial<NodeStatus>): void {
    const current = this.status.get(id) ?? { state: 'idle' };
    this.status.set(id, { ...current, ...patch });
  }

  /**
   * Takes the states of a snapshot or an edit's answer; with `keepLive` (a run
   * goes on) a state already known stays, live events being newer.
   */
  adopt(states: Record<string, NodeStatus>, keepLive: boolean): void {
    for (const [id, state] of Object.entries(states))
      if (!keepLive || !this.status.has(id)) this.status.set(id, state);
  }

  /** Forgets removed nodes. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.status.delete(id);
  }

  /** Forgets every node but `ids` (those of the graph). */
  keepOnly(ids: Iterable<string>): void {
    const kept = new Set(ids);
    this.forget([...this.status.keys()].filter((id) => !kept.has(id)));
  }

  /** Nodes whose inputs changed: a node that has outputs now shows them as out of date. */
  markStale(ids: Iterable<string>): void {
    for (const id of ids) {
      const current = this.status.get(id);
      if (current && current.state !== 'idle') this.patch(id, { state: 'stale' });
    }
  }

  filesChanged(node: string): void {
    this.filesVersion.set(node, (this.filesVersion.get(node) ?? 0) + 1);
  }

  clear(): void {
    this.status.clear();
  }
}
