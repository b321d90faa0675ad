/** Graph validation names the node and the reason; the plan follows the run modes. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineModule } from '../modules/define';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { GraphBuilder } from '../test-support/pipeline';
import { planRun, topologicalOrder } from './plan';
import { checkConnection, validateGraph } from './validate';

const registry = createBuiltinRegistry().register(
  defineModule({
    id: 'gray-only',
    version: 1,
    title: 'Gray Only',
    category: 'Test',
    description: 'Accepts grayscale 2-D images only.',
    params: z.object({}),
    accepts: { colorModes: ['grayscale'], dims: [2] },
    run: (sample) => sample,
  }),
);

const rgb = new Map([['data', { colorMode: 'rgb' as const, dims: 2 as const }]]);
const volume = new Map([['data', { colorMode: 'grayscale' as const, dims: 3 as const }]]);

describe('validateGraph', () => {
  it('accepts a well-formed pipeline', () => {
    const graph = new GraphBuilder(registry)
      .chain(['data', 'dataset', { path: 'x' }], ['gray', 'color-to-grayscale'], ['g', 'gray-only'])
      .build();
    expect(validateGraph(graph, registry, rgb)).toEqual([]);
  });

  it('refuses RGB into a grayscale-only module, naming the node', () => {
    const graph = new GraphBuilder(registry)
      .chain(['data', 'dataset', { path: 'x' }], ['g', 'gray-only'])
      .build();
    const issues = validateGraph(graph, registry, rgb);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'error', node: 'g' });
    expect(issues[0].message).toMatch(/accepts grayscale images, but receives rgb/);
  });

  it('refuses a built-in 2-D network on volumes, and unet3d on images, before RUN', () => {
    const net = (architecture: string) =>
      new GraphBuilder(registry)
        .chain(
          ['data', 'dataset', { path: 'x', task: 'segmentation' }],
          ['net', 'neural-network', { task: 'segmentation', architecture }],
        )
        .build();
    expect(validateGraph(net('unet'), registry, volume).map((i) => i.message)).toEqual([
      `Node "net": Architecture unet takes 2-D images, but the data is 3-D volumes (d x h x w x c): pick unet3d (or auto), or set the Dataset's volumes to slices`,
    ]);
    expect(validateGraph(net('unet3d'), registry, volume)).toEqual([]);
    expect(validateGraph(net('auto'), registry, volume)).toEqual([]);
    expect(validateGraph(net('unet3d'), registry, rgb).map((i) => i.message)).toEqual([
      'Node "net": Architecture unet3d takes 3-D volumes, but the data is 2-D images: pick unet (or auto)',
    ]);
  });

  it('refuses 3-D into a 2-D module', () => {
    const graph = new GraphBuilder(registry)
      .chain(['data', 'dataset', { path: 'x' }], ['g', 'gray-only'])
      .build();
    expect(validateGraph(graph, registry, volume)[0].message).toMatch(/accepts 2-D images, but receives 3-D/);
  });

  it('reports a missing input, an unknown module and bad params by node', () => {
    const graph = new GraphBuilder(registry).node('lonely', 'resize', { width: 8, height: 8 }).build();
    graph.nodes.push({
      id: 'ghost',
      kind: 'module',
      type: 'nope',
      version: 1,
      params: {},
      position: { x: 0, y: 0 },
    });
    graph.nodes.push({
      id: 'bad',
      kind: 'module',
      type: 'resize',
      version: 1,
      params: { width: -3 },
      position: { x: 0, y: 0 },
    });
    const messages = validateGraph(graph, registry).map((i) => `${i.node}: ${i.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^lonely: .*has no input on port "in"/));
    expect(messages).toContainEqual(expect.stringMatching(/^ghost: Unknown module "nope"/));
    expect(messages).toContainEqual(expect.stringMatching(/^bad: .*parameter "width"/));
  });

  it('reports every node of a cycle', () => {
    const graph = new GraphBuilder(registry)
      .chain(['a', 'resize'], ['b', 'color-to-grayscale'])
      .edge('b', 'a', 'in')
      .build();
    const issues = validateGraph(graph, registry);
    expect(issues.map((i) => i.node).sort()).toEqual(['a', 'b']);
    expect(issues[0].message).toMatch(/cycle/);
    expect(() => planRun(graph, 'all')).toThrow(/cycle through a, b/);
  });
});

describe('checkConnection', () => {
  const graph = new GraphBuilder(registry)
    .node('data', 'dataset', { path: 'x' })
    .node('g', 'gray-only')
    .node('gray', 'color-to-grayscale')
    .build();
  it('says why an edge is refused', () => {
    expect(checkConnection(graph, registry, 'data', 'g', 'in', rgb)).toEqual({
      ok: false,
      reason: expect.stringMatching(/receives rgb/),
    });
    expect(checkConnection(graph, registry, 'g', 'data', 'in').reason).toMatch(/takes no input/);
    expect(checkConnection(graph, registry, 'g', 'g', 'in').reason).toMatch(/itself/);
    expect(checkConnection(graph, registry, 'data', 'gray', 'in', rgb)).toEqual({ ok: true });
  });
});

describe('planRun', () => {
  // data -> a -> b, data -> c ; c is below a.
  const graph = new GraphBuilder(registry)
    .node('data', 'dataset', { path: 'x' })
    .node('a', 'resize')
    .node('b', 'color-to-grayscale')
    .node('c', 'resize')
    .edge('data', 'a')
    .edge('a', 'b')
    .edge('data', 'c')
    .build();
  it('orders leftmost first along the connections', () => {
    expect(topologicalOrder(graph)).toEqual({ order: ['data', 'a', 'b', 'c'] });
  });
  it('selects the nodes of each mode', () => {
    expect(planRun(graph, 'all')).toEqual(['data', 'a', 'b', 'c']);
    expect(planRun(graph, 'sample')).toEqual(['data', 'a', 'b', 'c']);
    expect(planRun(graph, 'node', 'a')).toEqual(['a']);
    expect(planRun(graph, 'step-forward', 'a')).toEqual(['a', 'b']);
    expect(() => planRun(graph, 'node', 'zzz')).toThrow(/"zzz" is not in the pipeline/);
  });
});
