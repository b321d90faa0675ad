/**
 * The tuner on the real Neural Network node: a short search (2 generations of
 * 2) training a small CNN on generated phantoms with the wasm backend.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent, GraphNode } from '../api';
import { TuningRequestSchema } from '../api';
import { builtinNetworkTypes } from '../nn';
import { NetworkParamsSchema } from '../nn/params';
import { releaseTrained } from '../nn/predict';
import { phantomCollection } from '../test-support/phantoms';
import { ProjectStore } from '../store/project-store';
import { tempDir } from '../test-support/pipeline';
import { runTuning, trialParams } from './index';

const root = tempDir('phi-tuning-nn-');
afterAll(() => {
  releaseTrained();
  rmSync(root, { recursive: true, force: true });
});

describe('tuning the neural-network node', () => {
  it('trains one network per trial and records validation metrics of each', async () => {
    const networkType = builtinNetworkTypes.find((t) => t.id === 'neural-network');
    expect(networkType).toBeDefined();
    const node: GraphNode = {
      id: 'net',
      kind: 'network',
      type: 'neural-network',
      version: networkType!.version,
      params: { task: 'classification', backend: 'wasm', baseFilters: 4, depth: 2, epochs: 2, batchSize: 8 },
      position: { x: 0, y: 0 },
    };
    const store = ProjectStore.create(join(root, 'nn.phiproj'), { graph: { nodes: [node], edges: [] } });
    const events: EngineEvent[] = [];
    const state = await runTuning(
      TuningRequestSchema.parse({
        node: 'net',
        search: [
          { param: 'learningRate', min: 1e-3, max: 3e-2, log: true },
          { param: 'optimizer', values: ['adam', 'sgd'] },
        ],
        population: 2,
        generations: 2,
        seed: 5,
      }),
      {
        store,
        node,
        networkType: networkType!,
        collection: phantomCollection({ task: 'classification', count: 24, size: 16 }),
        trialDir: (id) => join(store.artifactsFor('net'), 'trials', id),
        emit: (event) => events.push(event),
        signal: new AbortController().signal,
        seed: 1,
      },
    );
    // 2 random, then 1 child beside the elite.
    expect(state.trials.length).toBe(3);
    for (const trial of state.trials) {
      expect(trial.status, trial.message).toBe('done');
      const accuracy = trial.metrics['validation.accuracy'];
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
      expect(trial.score).toBe(accuracy);
      expect(typeof trial.metrics['train.loss']).toBe('number');
      const full = NetworkParamsSchema.parse(trialParams(store, 'net', trial.id));
      expect(full).toMatchObject({ epochs: 2, baseFilters: 4, ...trial.params });
      // Each training kept its checkpoints in its own trial folder.
      expect(readdirSync(join(store.artifactsFor('net'), 'trials', trial.id)).length).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.type === 'epoch' && e.split === 'validation').length).toBe(3 * 2);
    expect(events.filter((e) => e.type === 'trial').length).toBe(3);
    expect(store.runs()[0]).toMatchObject({ mode: 'tuning', status: 'done' });
    store.close();
  }, 60_000);
});
