/** Finds and reads the label file of a dataset (CSV or COCO JSON) at the dataset root. */
import { readFile } from 'node:fs/promises';
import type { FileIndex } from './files';
import type { FoundFile } from '../walk';

/** The label file named in the params, or the only/conventional one of that kind at the root. */
export function findLabelFile(files: FileIndex, named: string, ext: 'csv' | 'json'): FoundFile | undefined {
  if (named) {
    const file = files.resolve(named);
    if (!file) throw new Error(`Label file ${named} was not found in the dataset folder`);
    return file;
  }
  const atRoot = files.all.filter((f) => !f.rel.includes('/') && f.rel.toLowerCase().endsWith(`.${ext}`));
  const preferred = ['labels', 'label', 'annotations', 'instances', 'train', 'dataset'];
  for (const name of preferred) {
    const hit = atRoot.find((f) => f.rel.toLowerCase() === `${name}.${ext}`);
    if (hit) return hit;
  }
  return atRoot.length === 1 ? atRoot[0] : undefined;
}

/** Reads a label file as text, naming it when it cannot be read. */
export async function readLabelText(file: FoundFile): Promise<string> {
  try {
    return await readFile(file.abs, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read label file ${file.rel}: ${(error as Error).message}`, { cause: error });
  }
}
