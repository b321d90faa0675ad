import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { describeBackends, selectBackend, vulkanLoaderPresent, wasmMisfit } from './select';

describe('Vulkan loader probe before WebGPU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phi-vk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the loader in LD_LIBRARY_PATH', () => {
    const lib = mkdtempSync(join(dir, 'lib-'));
    writeFileSync(join(lib, 'libvulkan.so.1'), '');
    expect(vulkanLoaderPresent({ LD_LIBRARY_PATH: `/nonexistent:${lib}` })).toBe(true);
  });

  it('otherwise answers as the dynamic linker cache does', () => {
    const cache = execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' });
    expect(vulkanLoaderPresent({ LD_LIBRARY_PATH: dir })).toBe(cache.includes('libvulkan.so.1'));
  });
});

describe('automatic backend choice', () => {
  it('tells each unavailable backend once per process, and the choice is the same each time', async () => {
    const told: string[] = [];
    const first = await selectBackend('auto', (m) => told.push(m));
    const again = await selectBackend('auto', (m) => told.push(m));
    expect(again).toBe(first);
    const unavailable = (await describeBackends()).filter((b) => !b.available).map((b) => b.name);
    // One line per backend that did not load, however often a training starts.
    expect(told).toEqual([...new Set(told)]);
    expect(told.some((m) => m.startsWith('Backend tensorflow unavailable'))).toBe(
      unavailable.includes('tensorflow'),
    );
  });
});

describe('3-D networks', () => {
  it('auto skips wasm for a 3-D network only while wasm has no Conv3D kernel, saying why', async () => {
    const conv3d = tf.getKernel('Conv3D', 'wasm');
    expect(conv3d).toBeDefined();
    expect(wasmMisfit({ volumetric: true })).toBeUndefined();
    const preferred = (await describeBackends()).find((b) => b.available && b.name !== 'cpu')?.name;
    tf.unregisterKernel('Conv3D', 'wasm');
    try {
      const told: string[] = [];
      const name = await selectBackend('auto', (m) => told.push(m), { volumetric: true });
      expect(name).toBe(preferred === 'wasm' ? 'cpu' : preferred);
      if (preferred === 'wasm')
        expect(told).toContain(
          'the 3-D network trains on the cpu backend because no Conv3D kernel is registered for wasm',
        );
      // 2-D networks and a backend asked by name are not affected.
      expect(await selectBackend('auto', undefined, { volumetric: false })).toBe(preferred);
      expect(await selectBackend('wasm', undefined, { volumetric: true })).toBe('wasm');
    } finally {
      tf.registerKernel(conv3d as NonNullable<typeof conv3d>);
    }
    expect(await selectBackend('auto', undefined, { volumetric: true })).toBe(preferred);
  });
});
