/**
 * Detection labels: a CSV with one box per row (`filename,xmin,ymin,xmax,ymax,class`;
 * a row with only a file name lists an image without boxes) or COCO JSON
 * (`images`, `annotations` with `bbox` = [x, y, width, height], `categories`).
 * Boxes are in pixels of the image.
 */
import type { Box } from '../../api';
import { parseCsv } from '../csv';
import type { FoundFile } from '../walk';
import { FileIndex, isSideFile } from './files';
import { findLabelFile, readLabelText } from './label-file';
import type { LayoutEntry, LayoutResult } from './types';

function finishEntries(boxesByFile: Map<FoundFile, Box[]>, classes: string[]): LayoutEntry[] {
  return [...boxesByFile].map(([file, boxes]) => ({
    file,
    label: { kind: 'boxes' as const, boxes },
    stratum: 0,
    display:
      `${boxes.length} box${boxes.length === 1 ? '' : 'es'}` +
      (boxes.length ? ` (${[...new Set(boxes.map((b) => classes[b.classIndex]))].join(', ')})` : ''),
  }));
}

function unlisted(files: FileIndex, used: Set<FoundFile>, labelFile: FoundFile): LayoutResult['skipped'] {
  return files.all
    .filter((f) => !used.has(f) && f !== labelFile && !isSideFile(f.rel))
    .map((f) => ({ file: f.rel, reason: `not listed in ${labelFile.rel}` }));
}

/** Reads a detection CSV dataset. */
export async function readDetectionCsv(root: string, labelsFile: string): Promise<LayoutResult> {
  const files = await FileIndex.of(root);
  const labelFile = findLabelFile(files, labelsFile, 'csv');
  if (!labelFile)
    throw new Error(`No box CSV found in ${root}: add labels.csv (filename,xmin,ymin,xmax,ymax,class)`);
  const rows = parseCsv(await readLabelText(labelFile));
  const hasHeader = rows.length > 0 && rows[0].length >= 5 && Number.isNaN(Number(rows[0][1]));
  const body = rows.map((row, line) => ({ row, line })).slice(hasHeader ? 1 : 0);
  const classes = [...new Set(body.map((b) => b.row[5]).filter((c) => c))].sort();
  const skipped: LayoutResult['skipped'] = [];
  const boxesByFile = new Map<FoundFile, Box[]>();
  for (const { row, line } of body) {
    const where = `${labelFile.rel} row ${line + 1}`;
    const file = files.resolve(row[0]);
    if (!file) {
      skipped.push({ file: where, reason: `names ${row[0]}, which is not in the dataset folder` });
      continue;
    }
    const boxes = boxesByFile.get(file) ?? [];
    boxesByFile.set(file, boxes);
    if (row.slice(1).every((v) => v === '')) continue;
    const [xmin, ymin, xmax, ymax] = row.slice(1, 5).map(Number);
    if (![xmin, ymin, xmax, ymax].every(Number.isFinite) || !row[5]) {
      skipped.push({ file: where, reason: 'expected filename,xmin,ymin,xmax,ymax,class' });
      continue;
    }
    if (xmax <= xmin || ymax <= ymin) {
      skipped.push({
        file: where,
        reason: `box ${xmin},${ymin},${xmax},${ymax} is empty (max must exceed min)`,
      });
      continue;
    }
    boxes.push({ xmin, ymin, xmax, ymax, classIndex: classes.indexOf(row[5]) });
  }
  skipped.push(...unlisted(files, new Set(boxesByFile.keys()), labelFile));
  return {
    layout: 'detection-csv',
    task: 'detection',
    classes,
    entries: finishEntries(boxesByFile, classes),
    skipped,
    files: files.all,
  };
}

interface Coco {
  images?: { id: number; file_name: string }[];
  annotations?: { image_id: number; bbox: number[]; category_id: number }[];
  categories?: { id: number; name: string }[];
}

/** Reads a COCO JSON detection dataset. */
export async function readCoco(root: string, labelsFile: string): Promise<LayoutResult> {
  const files = await FileIndex.of(root);
  const labelFile = findLabelFile(files, labelsFile, 'json');
  if (!labelFile) throw new Error(`No COCO JSON found in ${root}: add annotations.json or set "labelsFile"`);
  let coco: Coco;
  try {
    coco = JSON.parse(await readLabelText(labelFile)) as Coco;
  } catch (error) {
    throw new Error(`Label file ${labelFile.rel} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(coco.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories)) {
    throw new Error(
      `Label file ${labelFile.rel} is not COCO: it needs "images", "annotations" and "categories"`,
    );
  }
  const categories = [...coco.categories].sort((a, b) => a.id - b.id);
  const classes = categories.map((c) => c.name);
  const classOf = new Map(categories.map((c, i) => [c.id, i]));
  const skipped: LayoutResult['skipped'] = [];
  const fileOf = new Map<number, FoundFile>();
  const boxesByFile = new Map<FoundFile, Box[]>();
  for (const image of coco.images) {
    const file = files.resolve(image.file_name);
    if (!file) {
      skipped.push({
        file: `${labelFile.rel} image ${image.id}`,
        reason: `names ${image.file_name}, which is not in the dataset folder`,
      });
      continue;
    }
    fileOf.set(image.id, file);
    boxesByFile.set(file, []);
  }
  coco.annotations.forEach((a, i) => {
    const file = fileOf.get(a.image_id);
    if (!file) return;
    const classIndex = classOf.get(a.category_id);
    const [x, y, w, h] = a.bbox ?? [];
    if (classIndex === undefined || ![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) {
      skipped.push({
        file: `${labelFile.rel} annotation ${i + 1}`,
        reason: 'unknown category or empty/invalid bbox',
      });
      return;
    }
    boxesByFile.get(file)?.push({ xmin: x, ymin: y, xmax: x + w, ymax: y + h, classIndex });
  });
  skipped.push(...unlisted(files, new Set(boxesByFile.keys()), labelFile));
  return {
    layout: 'coco',
    task: 'detection',
    classes,
    entries: finishEntries(boxesByFile, classes),
    skipped,
    files: files.all,
  };
}
