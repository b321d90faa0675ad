/**
 * Cache keys come from one generic loop: each node type's fingerprint (a
 * dataset's files, a custom module's source, a saved network spec) and, for
 * types that use randomness only, the run seed. Changing what a fingerprint
 * covers changes that node's key and its dependants' keys, and nothing else.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../api';
import { compileCustomModule, type CustomModuleNodeType } from '../custom/compile';
import type { DatasetSource } from '../graph/node-type';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { computeKeys, type KeyResult } from './keys';

const made: CustomModuleNodeType[] = [];
afterAll(async () => {
  await Promise.all(made.map((t) => t.dispose()));
});

async function customType(source: string): Promise<CustomModuleNodeType> {
  const result = await compileCustomModule({
    id: 'my-double',
    title: 'Double',
    category: 'My modules',
    modality: 'any',
    dims: '2d',
    description: '',
    language: 'typescript',
    source,
  });
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  made.push(result.nodeType);
  return result.nodeType;
}

const doubled = `defineModule({ params: z.object({}), run(sample) { return sample; } });`;
const doubledEdited = `defineModule({ params: z.object({}), run(sample) { return { ...sample }; } });`;

const node = (
  id: string,
  kind: GraphNode['kind'],
  type: string,
  params: Record<string, unknown> = {},
): GraphNode => ({
  id,
  kind,
  type,
  version: 1,
  params,
  position: { x: 0, y: 0 },
});

/**
 * Two branches: ds -> resize -> flip (random) -> net (trains saved spec "s1"),
 * ds -> custom -> after; and an unrelated other -> resize2.
 */
const graph: Graph = {
  nodes: [
    node('ds', 'dataset', 'dataset', { path: 'a' }),
    node('resize', 'module', 'resize', { width: 32, height: 32 }),
    node('flip', 'module', 'random-flip'),
    node('net', 'network', 'neural-network', { architecture: 'custom', customSpec: 's1' }),
    node('custom', 'module', 'my-double'),
    node('after', 'module', 'resize', { width: 16, height: 16 }),
    node('other', 'dataset', 'dataset', { path: 'b' }),
    node('resize2', 'module', 'resize'),
  ],
  edges: [
    { id: 'e1', source: 'ds', target: 'resize', targetPort: 'in' },
    { id: 'e2', source: 'resize', target: 'flip', targetPort: 'in' },
    { id: 'e3', source: 'flip', target: 'net', targetPort: 'in' },
    { id: 'e4', source: 'ds', target: 'custom', targetPort: 'in' },
    { id: 'e6', source: 'custom', target: 'after', targetPort: 'in' },
    { id: 'e5', source: 'other', target: 'resize2', targetPort: 'in' },
  ],
};

interface World {
  files: Record<string, string>;
  source: string;
  specs: Record<string, unknown>;
  seed: number;
}

const world = (changes: Partial<World> = {}): World => ({
  files: { a: 'fp-a', b: 'fp-b' },
  source: doubled,
  specs: { s1: { layers: [1] }, s2: { layers: [2] } },
  seed: 1234,
  ...changes,
});

async function keysOf(w: World): Promise<Record<string, string>> {
  const registry = createBuiltinRegistry();
  registry.upsert(await customType(w.source));
  const keys = await computeKeys(
    graph,
    registry,
    w.seed,
    async (n) => {
      const fingerprint = w.files[(n.params as { path: string }).path];
      if (!fingerprint) throw new Error(`Dataset folder not found: ${String(n.params.path)}`);
      return { fingerprint } as DatasetSource;
    },
    (id) => w.specs[id],
  );
  return Object.fromEntries([...keys].map(([id, k]) => [id, 'key' in k ? k.key : `error: ${k.error}`]));
}

/** Ids whose key differs between two computations. */
function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(a)
    .filter((id) => a[id] !== b[id])
    .sort();
}

describe('cache keys from node type fingerprints', () => {
  it('a dataset fingerprint change re-keys the dataset and everything downstream of it', async () => {
    const before = await keysOf(world());
    const after = await keysOf(world({ files: { a: 'fp-a2', b: 'fp-b' } }));
    expect(changed(before, after)).toEqual(['after', 'custom', 'ds', 'flip', 'net', 'resize']);
  });

  it("a custom module's source re-keys that module and its dependants only", async () => {
    const before = await keysOf(world());
    const after = await keysOf(world({ source: doubledEdited }));
    expect(changed(before, after)).toEqual(['after', 'custom']);
  });

  it('the content of the saved spec a network trains re-keys that network only', async () => {
    const before = await keysOf(world());
    expect(
      changed(before, await keysOf(world({ specs: { s1: { layers: [3] }, s2: { layers: [2] } } }))),
    ).toEqual(['net']);
    // A spec the network does not train is not part of its key.
    expect(
      changed(before, await keysOf(world({ specs: { s1: { layers: [1] }, s2: { layers: [9] } } }))),
    ).toEqual([]);
  });

  it('the seed is part of the keys of the types that use randomness, and of their dependants', async () => {
    const before = await keysOf(world());
    const after = await keysOf(world({ seed: 99 }));
    // resize is deterministic; random-flip and custom modules draw on the seeded stream.
    expect(changed(before, after)).toEqual(['after', 'custom', 'flip', 'net']);
    const registry = createBuiltinRegistry();
    expect(registry.get('resize')?.usesRandomness).toBeFalsy();
    expect(registry.get('random-flip')?.usesRandomness).toBe(true);
  });

  it('a dataset that cannot be opened gives its error, and its dependants say their input is missing', async () => {
    const keys = await keysOf(world({ files: { b: 'fp-b' } }));
    expect(keys.ds).toBe('error: Dataset folder not found: a');
    expect(keys.resize).toBe('error: Input "ds" is not available');
    expect(keys.custom).toBe('error: Input "ds" is not available');
    expect(keys.resize2).not.toMatch(/^error/);
  });

  it('a parameter edit re-keys that node and its dependants only', async () => {
    const registry = createBuiltinRegistry();
    registry.upsert(await customType(doubled));
    const open = async (): Promise<DatasetSource> => ({ fingerprint: 'x' }) as DatasetSource;
    const run = async (g: Graph): Promise<Map<string, KeyResult>> =>
      computeKeys(g, registry, 1, open, () => null);
    const before = await run(graph);
    const edited: Graph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'resize' ? { ...n, params: { width: 48, height: 32 } } : n)),
    };
    const after = await run(edited);
    const differ = [...before.keys()].filter(
      (id) => JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id)),
    );
    expect(differ.sort()).toEqual(['flip', 'net', 'resize']);
  });
});
