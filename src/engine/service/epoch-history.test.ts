/** A resumed training shows one curve: the runs it resumed come first; sample runs have curves of their own. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { tempDir } from '../test-support/pipeline';
import { epochHistory } from './epoch-history';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('stitches the epochs of resumed runs, and a fresh start stands alone', () => {
  const store = ProjectStore.create(join(dir, 'h.phiproj'), { graph: { nodes: [], edges: [] } });
  const run = (epochs: number[], mode = 'all'): void => {
    const id = store.startRun({ mode, seed: 1, appVersion: '0', nodeVersions: {} });
    for (const epoch of epochs) store.recordEpoch(id, 'net', epoch, 'train', { loss: 1 / epoch });
    store.finishRun(id, 'done');
  };
  run([1, 2, 3]); // interrupted after epoch 3 of a first training
  run([4, 5]); // resumed
  expect(epochHistory(store, 'net', false).map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
  // A sample run trains apart: it has a curve of its own and leaves the full run's alone.
  run([1, 2, 3, 4, 5, 6, 7], 'sample');
  expect(epochHistory(store, 'net', false).map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
  expect(epochHistory(store, 'net', true).map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  run([1, 2]); // changed params: trained again from the start
  expect(epochHistory(store, 'net', false).map((r) => r.epoch)).toEqual([1, 2]);
  store.close();
});

it('a run that only evaluated keeps the curves before it; the test row is never older than the curves', () => {
  const store = ProjectStore.create(join(dir, 't.phiproj'), { graph: { nodes: [], edges: [] } });
  const run = (epochs: number[], test?: number, mode = 'all'): void => {
    const id = store.startRun({ mode, seed: 1, appVersion: '0', nodeVersions: {} });
    for (const epoch of epochs) store.recordEpoch(id, 'net', epoch, 'train', { loss: 1 / epoch });
    if (test !== undefined) store.recordEpoch(id, 'net', 0, 'test', { accuracy: test });
    store.finishRun(id, 'done');
  };
  const shown = (): string[] =>
    epochHistory(store, 'net', false).map(
      (r) => `${r.split}:${r.split === 'test' ? r.metrics.accuracy : r.epoch}`,
    );
  run([1, 2, 3], 0.5);
  run([], 0.6); // fewer epochs asked: nothing trained, the kept model evaluated again
  expect(shown()).toEqual(['train:1', 'train:2', 'train:3', 'test:0.6']);
  run([4], 0.7); // resumed and evaluated: its own test row, not the one of the runs it resumed
  expect(shown()).toEqual(['train:1', 'train:2', 'train:3', 'train:4', 'test:0.7']);
  run([5]); // resumed, stopped before its test evaluation: the older table belongs to another model
  expect(shown()).toEqual(['train:1', 'train:2', 'train:3', 'train:4', 'train:5']);
  run([1], 0.9, 'tuning'); // a tuning trial is never the node's own
  expect(shown()).toEqual(['train:1', 'train:2', 'train:3', 'train:4', 'train:5']);
  store.close();
});
