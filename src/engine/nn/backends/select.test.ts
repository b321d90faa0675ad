import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vulkanLoaderPresent } from './select';

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
