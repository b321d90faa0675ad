/**
 * Where the app's bundled resources (example projects, network specs, module
 * templates) are: `PHI_RESOURCES_DIR`, else the packaged app's resources folder
 * (electron-builder's extraResources), else the source tree's `resources/`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The resources folder, or a sub-folder of it. */
export function resourcesDir(...parts: string[]): string {
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  const root =
    process.env.PHI_RESOURCES_DIR ??
    (packaged && existsSync(join(packaged, 'networks'))
      ? packaged
      : resolve(dirname(fileURLToPath(import.meta.url)), '../../resources'));
  return join(root, ...parts);
}
