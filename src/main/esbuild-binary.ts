/**
 * Custom modules are compiled with esbuild at run time, and esbuild starts
 * its native binary with child_process.spawn, which Electron does not redirect
 * into app.asar.unpacked (electron/electron#9459). electron-builder.yml
 * unpacks the binary; ESBUILD_BINARY_PATH, which esbuild reads when it loads,
 * points it there.
 */
import { createRequire } from 'node:module';

/** Environment for the engine process: ESBUILD_BINARY_PATH when esbuild sits in an asar, else nothing. */
export function esbuildBinaryEnv(
  resolve: (id: string) => string = createRequire(import.meta.url).resolve,
  platform: string = process.platform,
  arch: string = process.arch,
): Record<string, string> {
  let binary: string;
  try {
    // esbuild's own package names for the desktop targets: @esbuild/<platform>-<arch>.
    binary = resolve(`@esbuild/${platform}-${arch}/${platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild'}`);
  } catch {
    return {};
  }
  const unpacked = binary.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  return unpacked === binary ? {} : { ESBUILD_BINARY_PATH: unpacked };
}
