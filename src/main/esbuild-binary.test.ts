import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { esbuildBinaryEnv } from './esbuild-binary';

describe('esbuildBinaryEnv', () => {
  it('points esbuild at the unpacked binary of a packaged app', () => {
    const asked: string[] = [];
    const env = esbuildBinaryEnv(
      (id) => {
        asked.push(id);
        return `/opt/Phi Studio/resources/app.asar/node_modules/${id}`;
      },
      'linux',
      'x64',
    );
    expect(asked).toEqual(['@esbuild/linux-x64/bin/esbuild']);
    expect(env).toEqual({
      ESBUILD_BINARY_PATH:
        '/opt/Phi Studio/resources/app.asar.unpacked/node_modules/@esbuild/linux-x64/bin/esbuild',
    });
    const win = esbuildBinaryEnv(
      (id) => `C:\\Phi\\resources\\app.asar\\node_modules\\${id.replaceAll('/', '\\')}`,
      'win32',
      'x64',
    );
    expect(win.ESBUILD_BINARY_PATH).toBe(
      'C:\\Phi\\resources\\app.asar.unpacked\\node_modules\\@esbuild\\win32-x64\\esbuild.exe',
    );
  });

  it('leaves a checkout alone, whose binary esbuild finds by itself', () => {
    expect(esbuildBinaryEnv()).toEqual({});
    // The real resolution finds this platform's binary (the default path above is not a dead end).
    const found: string[] = [];
    esbuildBinaryEnv((id) => {
      const path = createRequire(import.meta.url).resolve(id);
      found.push(path);
      return path;
    });
    expect(found).toHaveLength(1);
    expect(existsSync(found[0])).toBe(true);
    // No binary for the platform: esbuild reports that itself when it is used.
    expect(
      esbuildBinaryEnv(() => {
        throw new Error('Cannot find module');
      }),
    ).toEqual({});
  });
});
