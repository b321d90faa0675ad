/**
 * Which trained weights an evaluation was made with (docs/metrics.md, "Evaluation
 * runs and the report"): a stamp of the checkpoint `phi predict` and the View tab
 * load (the best one, else the last), so that a figure or Grad-CAM shown later for
 * that evaluation can be refused when the node's model has changed since.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { checkpointPath, readCheckpointMeta } from '../train/checkpoint';

/** The stamp of the model in `artifactsDir`; undefined when it holds none. */
export function modelStamp(artifactsDir: string): string | undefined {
  const best = checkpointPath(artifactsDir, 'best');
  const path = existsSync(best) ? best : checkpointPath(artifactsDir, 'last');
  if (!existsSync(path)) return undefined;
  const meta = readCheckpointMeta(path);
  const { size, mtimeMs } = statSync(path);
  return createHash('sha256')
    .update(JSON.stringify([meta?.trainingKey, meta?.epoch, size, mtimeMs]))
    .digest('hex')
    .slice(0, 32);
}
