/**
 * Node versions: a node saved by an older version of its type is migrated
 * when the project is opened (params rewritten, new version stored, the user
 * told), and one saved by a newer version refuses the project, file unchanged.
 * Real SQLite files; the node type is registered here.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EngineEvent } from '../api';
import { NodeTypeRegistry } from '../graph/registry';
import { defineModule } from '../modules/define';
import { Engine } from '../service/engine';
import { ProjectError } from './errors';
import { node, tempFolder } from './fixtures/sample-graph';
import { describeUpgrade } from './node-upgrades';
import { ProjectStore } from './project-store';

/** Version 1 had `radius` (pixels); 2 renamed it `sigma`; 3 measures it in half pixels. */
const blur = defineModule({
  id: 'soft-blur',
  version: 3,
  title: 'Soft Blur',
  category: 'Filter',
  description: 'A test module whose parameter was renamed, then re-scaled.',
  params: z.object({ sigma: z.number().default(2), border: z.string().default('edge') }),
  migrations: [
    {
      from: 1,
      description: 'radius is now called sigma',
      up: ({ radius, ...rest }) => ({ ...rest, sigma: radius }),
    },
    {
      from: 2,
      description: 'sigma is now in half pixels (doubled)',
      up: (p) => ({ ...p, sigma: Number(p.sigma) * 2 }),
    },
  ],
  run: (sample) => sample,
});

const registry = new NodeTypeRegistry().register(blur);
const lookup = (id: string): ReturnType<NodeTypeRegistry['get']> => registry.get(id);

let tmp: ReturnType<typeof tempFolder>;
let open: ProjectStore[];
beforeEach(() => {
  tmp = tempFolder();
  open = [];
});
afterEach(() => {
  open.forEach((store) => store.close());
  tmp.remove();
});

function saved(version: number, params: Record<string, unknown>): string {
  const path = join(tmp.dir, 'study.phiproj');
  ProjectStore.create(path, {
    graph: {
      nodes: [
        node('blur', { type: 'soft-blur', version, params }),
        node('other', { type: 'not-known', version: 7 }),
      ],
      edges: [],
    },
  }).close();
  return path;
}

function opened(path: string, withTypes = true): ProjectStore {
  const store = ProjectStore.open(path, withTypes ? lookup : undefined);
  open.push(store);
  return store;
}

describe('node versions', () => {
  it('migrates params saved by version 1 through every step, stores version 3 and says what changed', () => {
    const path = saved(1, { radius: 3, border: 'reflect' });
    const store = opened(path);
    expect(store.nodeUpgrades).toEqual([
      {
        node: 'blur',
        type: 'soft-blur',
        from: 1,
        to: 3,
        changes: ['radius is now called sigma', 'sigma is now in half pixels (doubled)'],
      },
    ]);
    expect(describeUpgrade(store.nodeUpgrades[0])).toBe(
      'Node "blur" (soft-blur) was saved by version 1 and is now version 3: radius is now called sigma; sigma is now in half pixels (doubled)',
    );
    store.close();
    // Stored: a plain reopen reads the new version and params, and nothing is migrated twice.
    const again = opened(path);
    expect(again.nodeUpgrades).toEqual([]);
    const blurNode = again.graph().nodes.find((n) => n.id === 'blur');
    expect(blurNode).toMatchObject({ version: 3, params: { sigma: 6, border: 'reflect' } });
    expect(blur.params.parse(blurNode?.params)).toEqual({ sigma: 6, border: 'reflect' });
    // Types this version does not know are left to graph validation.
    expect(again.graph().nodes.find((n) => n.id === 'other')?.version).toBe(7);
  });

  it('applies only the steps above the saved version', () => {
    const store = opened(saved(2, { sigma: 1.5 }));
    expect(store.nodeUpgrades[0].changes).toEqual(['sigma is now in half pixels (doubled)']);
    expect(store.graph().nodes[0].params).toEqual({ sigma: 3 });
  });

  it('refuses a node saved by a newer version with one sentence, leaving the file as it was', () => {
    const path = saved(4, { sigma: 1, smoothness: 'high' });
    let error: unknown;
    try {
      opened(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProjectError);
    expect((error as ProjectError).code).toBe('too-new');
    expect((error as ProjectError).message).toBe(
      `${path}: node "blur" (Soft Blur) was saved by a newer Phi Studio (soft-blur version 4; this one reads up to version 3): update Phi Studio to open it`,
    );
    const plain = opened(path, false);
    expect(plain.graph().nodes[0]).toMatchObject({ version: 4, params: { sigma: 1, smoothness: 'high' } });
  });

  it('the engine tells the user in the log and in the open-project result', async () => {
    const path = saved(1, { radius: 2 });
    const engine = new Engine({ cacheDir: join(tmp.dir, 'cache'), registry });
    const events: EngineEvent[] = [];
    engine.onDidEmit((event) => events.push(event));
    try {
      const snapshot = await engine.openProject({ path });
      expect(snapshot.nodeUpgrades?.map((u) => [u.node, u.from, u.to])).toEqual([['blur', 1, 3]]);
      expect(snapshot.graph.nodes[0]).toMatchObject({ version: 3, params: { sigma: 4 } });
      expect(events).toContainEqual({
        type: 'log',
        level: 'info',
        node: 'blur',
        message: describeUpgrade(snapshot.nodeUpgrades?.[0] as NonNullable<typeof snapshot.nodeUpgrades>[0]),
      });
      // Reopened: nothing left to upgrade, so the result carries no upgrades.
      expect((await engine.openProject({ path })).nodeUpgrades).toBeUndefined();
    } finally {
      engine.closeProject();
    }
  });
});
