/** A resumed training shows one curve: the runs it resumed come first. */
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
  const run = (epochs: number[]): void => {
    const id = store.startRun({ mode: 'all', seed: 1, appVersion: '0', nodeVersions: {} });
    for (const epoch of epochs) store.recordEpoch(id, 'net', epoch, 'train', { loss: 1 / epoch });
    store.finishRun(id, 'done');
  };
  run([1, 2, 3]); // interrupted after epoch 3 of a first training
  run([4, 5]); // resumed
  expect(epochHistory(store, 'net').map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
  run([1, 2]); // changed params: trained again from the start
  expect(epochHistory(store, 'net').map((r) => r.epoch)).toEqual([1, 2]);
  store.close();
});
