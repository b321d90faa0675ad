/**
 * Picks and runs the layout of a dataset folder: the one the user named, or
 * for `auto` the one the task and the folder's contents point to.
 */
import type { DatasetParams } from '../params';
import { readClassFolders } from './class-folders';
import type { LayoutResult } from './types';

/** Reads a dataset folder with the layout the params name (or detect). */
export async function readLayout(root: string, params: DatasetParams): Promise<LayoutResult> {
  const layout = params.layout === 'auto' ? 'class-folders' : params.layout;
  switch (layout) {
    case 'class-folders':
      return readClassFolders(root);
    default:
      throw new Error(`Layout "${layout}" is not available yet`);
  }
}
