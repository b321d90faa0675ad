/**
 * What each node's state is, as front ends show it: from the result the store
 * recorded for it, compared with the node's current cache key (stale when they
 * differ, not run when its outputs left the cache), or the live state while a
 * run goes on.
 */
import { join } from 'node:path';
import type { Graph, NodeStatus } from '../api';
import { readCheckpointMeta } from '../nn/train/checkpoint';
import { networkKey } from '../run/executor';
import { computeKeys } from '../run/keys';
import { KEY_SEPARATOR, type ProjectSession } from './session';

/** Node states from what the store recorded, compared with the current keys (live ones during a run). */
export async function nodeStates(session: ProjectSession, graph: Graph): Promise<Record<string, NodeStatus>> {
  const store = session.requireStore();
  const results = store.nodeResults();
  const keys = await computeKeys(
    graph,
    session.registry,
    session.seed,
    (node) => session.openDataset(node),
    session.savedSpec,
  );
  const status: Record<string, NodeStatus> = {};
  for (const node of graph.nodes) {
    const live = session.live.get(node.id);
    if (session.current && live) {
      status[node.id] = live;
      continue;
    }
    const recorded = results[node.id];
    const key = keys.get(node.id);
    if (!recorded || !key || 'error' in key) {
      status[node.id] = {
        state: recorded?.state === 'failed' ? 'failed' : 'idle',
        message: recorded?.message,
      };
      continue;
    }
    if (recorded.state === 'failed' && !recorded.cacheKey) {
      status[node.id] = { state: 'failed', message: recorded.message };
      continue;
    }
    const [recordedKey, selection] = recorded.cacheKey.split(KEY_SEPARATOR);
    const current = node.kind === 'network' ? networkKey(key.key, selection) : key.key;
    // Done only while the outputs exist: a cleared or evicted cache makes the node not run.
    if (
      current === recordedKey &&
      node.kind !== 'network' &&
      !session.cache.hasManifest(key.key, selection)
    ) {
      status[node.id] = { state: 'idle', message: 'Its outputs were removed from the cache: run it again' };
      continue;
    }
    status[node.id] = {
      // A node whose items partly failed stays failed (with its count) until its inputs or params change.
      state: current !== recordedKey ? 'stale' : recorded.state === 'failed' ? 'failed' : 'done',
      shape: recorded.shape,
      colorMode: recorded.colorMode as NodeStatus['colorMode'],
      dtype: recorded.dtype,
      count: recorded.count,
      ...(selection !== 'all' ? { sample: true } : {}),
      // What the last run said (e.g. items that failed) belongs to its outputs, not to an out-of-date node.
      message: current === recordedKey ? recorded.message : undefined,
    };
  }
  // A network whose training stopped part-way says so: its checkpoint is kept and RUN resumes from it.
  for (const node of graph.nodes) {
    const state = status[node.id]?.state;
    if (node.kind !== 'network' || (state !== 'idle' && state !== 'stale')) continue;
    const meta = readCheckpointMeta(join(store.artifactsPath(node.id), 'last.ckpt'));
    if (meta && !meta.finished)
      status[node.id] = {
        ...status[node.id],
        message: `Training stopped after epoch ${meta.epoch}: RUN resumes from it while its settings are unchanged`,
      };
  }
  return status;
}
