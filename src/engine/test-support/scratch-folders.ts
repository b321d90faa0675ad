/** Temp folders written file by file, and Dataset node params, for the dataset tests. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { NodeLog } from '../graph/node-type';
import { datasetParamsSchema, type DatasetParams } from '../data/params';

/** A temp folder removed by `dispose`. */
export interface ScratchFolder {
  root: string;
  write(rel: string, bytes: Uint8Array | string): Promise<string>;
  dispose(): Promise<void>;
}

/** Makes a temp folder for one test. */
export async function scratchFolder(prefix = 'phi-data-'): Promise<ScratchFolder> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return {
    root,
    async write(rel, bytes) {
      const abs = join(root, rel);
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, bytes);
      return abs;
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** Params with defaults, overridden by `over`. */
export function params(over: Partial<DatasetParams> = {}): DatasetParams {
  return datasetParamsSchema.parse(over);
}

/** A node log that records what it is told. */
export function recordingLog(): NodeLog & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message) => warnings.push(message) };
}
