/**
 * The network builder's store on the real engine (no browser): opened for a
 * network node whose dataset has 10 classes, it shows the engine's shapes and
 * parameter counts for 10 classes; a Conv2D after Flatten is the only layer
 * marked, in words, the others keep their shapes; Save then says what to fix
 * and saves nothing; without it the network saves.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { Engine } from '../src/engine/service/engine';
import { ProjectStore } from '../src/engine/store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../src/engine/test-support/pipeline';
import { NetworkBuilderStore } from '../src/renderer/stores/network-builder';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('shows what the engine computed for 10 classes, marks only the misfit and refuses to save it', async () => {
  const registry = createBuiltinRegistry();
  const classes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 2]));
  await writeClassFolders(join(dir, 'ten'), { classes, size: [16, 16], channels: 1 });
  const path = join(dir, 'ten.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(['data', 'dataset', { path: 'ten', splitByPatient: false }], ['net', 'neural-network', {}])
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  await engine.openProject({ path });
  const builder = new NetworkBuilderStore(engine);
  await builder.open('net', 'classification');

  const valid = await builder.runCheck();
  expect(valid?.ok).toBe(true);
  expect(valid?.vars).toEqual({ classes: 10, channels: 1, fromData: true });
  // Input 64 x 64 x 1 (not run yet) -> conv 16 -> pool -> 16384 -> Dense(10): 16384 * 10 + 10.
  expect(valid?.layers?.['dense-1']).toEqual({ shape: [10], parameters: 163_850 });
  expect(valid?.parameters).toBe(160 + 163_850);

  const conv = builder.addLayer('Conv2D', { x: 200, y: 400 })!;
  expect(builder.connect('flatten-1', conv)).toBeNull();
  const check = await builder.runCheck();
  expect([...builder.failedLayers]).toEqual([conv]);
  expect(builder.problems[0]).toEqual({
    layer: conv,
    message:
      'Conv2D needs an image (height x width x channels); after Flatten (flatten-1) it gets a vector of 16384',
  });
  expect(check?.shapes['dense-1']).toEqual([10]);
  expect(check?.shapes[conv]).toBeUndefined();

  const refused = await builder.save('My net');
  expect(refused.ok).toBe(false);
  expect(builder.saveProblem()).toMatch(/^Not saved: fix these 2 first: conv2d-2: Conv2D needs an image/);
  expect((await engine.listNetworkSpecs()).map((s) => s.id)).not.toContain('my-net');

  builder.removeLayer(conv);
  expect((await builder.save('My net')).ok).toBe(true);
  expect(builder.saveProblem()).toBeNull();
  expect((await engine.listNetworkSpecs()).map((s) => s.id)).toContain('my-net');
  builder.close();
  engine.closeProject();
});
