/**
 * Detection labels: a CSV with one box per row (`filename,xmin,ymin,xmax,ymax,class`;
 * with a header, columns are found by name: xmin/x1/left..., or
 * x,y,width,height, and the class column by the label rules; a row with only
 * a file name lists an image without boxes) or COCO JSON
 * (`images`, `annotations` with `bbox` = [x, y, width, height], `categories`).
 * Boxes are in pixels of the image.
 */
import type { Box, Split } from '../../api';
import type { FoundFile } from '../walk';
import { FileIndex, isSideFile } from './files';
import { sortClassValues, splitColumnOf, splitOf } from './columns';
import { chooseLabelColumn, type ChosenColumn } from './label-column';
import { findLabelFile, readLabelText } from './label-file';
import { listColumns, readLabelTable, type Column, type LabelTable } from './label-table';
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

/** Header names of the box columns, by their usual spellings. */
const CORNER_NAMES = {
  xmin: ['xmin', 'x_min', 'x1', 'x0', 'left'],
  ymin: ['ymin', 'y_min', 'y1', 'y0', 'top'],
  xmax: ['xmax', 'x_max', 'x2', 'right'],
  ymax: ['ymax', 'y_max', 'y2', 'bottom'],
};
/** `x,y,width,height` boxes (top-left corner and size), as in COCO and many challenge CSVs. */
const SIZE_NAMES = { x: ['x', 'bbox_x'], y: ['y', 'bbox_y'], width: ['width', 'w'], height: ['height', 'h'] };

type BoxColumns = { kind: 'corners' | 'size'; columns: [Column, Column, Column, Column] };

function byNames(table: LabelTable, names: Record<string, string[]>): Column[] | undefined {
  const found = Object.values(names).map((list) =>
    table.columns.find((c) => list.includes(c.header.trim().toLowerCase())),
  );
  return found.every((c) => c !== undefined) ? found : undefined;
}

/** The four box columns: by header name, or the four after the file column in a CSV without a header. */
function boxColumns(table: LabelTable): BoxColumns {
  const rel = table.file.rel;
  if (table.hasHeader) {
    const corners = byNames(table, CORNER_NAMES);
    if (corners) return { kind: 'corners', columns: corners as BoxColumns['columns'] };
    const size = byNames(table, SIZE_NAMES);
    if (size) return { kind: 'size', columns: size as BoxColumns['columns'] };
    throw new Error(
      `${rel} has no box columns: expected xmin, ymin, xmax, ymax (or x, y, width, height); ` +
        `its columns are ${listColumns(table)}`,
    );
  }
  const start = (table.fileColumn?.index ?? 0) + 1;
  const columns = table.columns.slice(start, start + 4);
  if (columns.length < 4) throw new Error(`${rel} should hold rows of filename,xmin,ymin,xmax,ymax,class`);
  return { kind: 'corners', columns: columns as BoxColumns['columns'] };
}

/** True when CSV rows look like boxes: box column names, or numbers in the four columns after the first. */
export function looksLikeBoxes(rows: string[][]): boolean {
  if (rows.length === 0) return false;
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const named = (names: Record<string, string[]>): boolean =>
    Object.values(names).every((list) => list.some((n) => header.includes(n)));
  if (named(CORNER_NAMES) || named(SIZE_NAMES)) return true;
  const numeric = (v: string | undefined): boolean =>
    v !== undefined && v !== '' && Number.isFinite(Number(v));
  return rows[0].length >= 6 && rows.some((r) => r.slice(1, 5).every(numeric));
}

/** Reads a detection CSV dataset. */
export async function readDetectionCsv(
  root: string,
  options: { labelsFile: string; labelColumn: string; splitColumn: string },
): Promise<LayoutResult> {
  const files = await FileIndex.of(root);
  const labelFile = findLabelFile(files, options.labelsFile, 'csv');
  if (!labelFile)
    throw new Error(`No box CSV found in ${root}: add labels.csv (filename,xmin,ymin,xmax,ymax,class)`);
  const table = await readLabelTable(files, labelFile);
  const rel = labelFile.rel;
  if (!table.fileColumn) throw new Error(`${rel} names none of the files in the dataset folder`);
  const boxes = boxColumns(table);
  const split = splitColumnOf(table, options.splitColumn);
  const exclude = [...boxes.columns, ...(split ? [split] : [])];
  const positional = table.hasHeader ? undefined : table.columns[boxes.columns[3].index + 1];
  const chosen: ChosenColumn = positional
    ? { column: positional, why: 'the column after the box' }
    : chooseLabelColumn(table, options.labelColumn, { exclude });
  const classValues = (i: number): string => chosen.column.values[i] ?? '';
  const hasBox = (i: number): boolean => boxes.columns.some((c) => c.values[i] !== '');
  const classes = sortClassValues(table.rows.map((_, i) => classValues(i)).filter((v, i) => v && hasBox(i)));
  const skipped: LayoutResult['skipped'] = [];
  const boxesByFile = new Map<FoundFile, Box[]>();
  const splitOfFile = new Map<FoundFile, Split>();
  table.rows.forEach(({ cells, line }, i) => {
    const where = `${rel} row ${line}`;
    const file = table.filesOfRows[i];
    if (!file) {
      const name = cells[table.fileColumn?.index ?? 0] ?? '';
      skipped.push({ file: where, reason: `names ${name}, which is not in the dataset folder` });
      return;
    }
    const list = boxesByFile.get(file) ?? [];
    boxesByFile.set(file, list);
    const officialSplit = split ? splitOf(split.values[i]) : undefined;
    if (officialSplit && !splitOfFile.has(file)) splitOfFile.set(file, officialSplit);
    if (!hasBox(i)) return;
    const [a, b, c, d] = boxes.columns.map((col) => Number(col.values[i]));
    const [xmin, ymin, xmax, ymax] = boxes.kind === 'corners' ? [a, b, c, d] : [a, b, a + c, b + d];
    if (![xmin, ymin, xmax, ymax].every(Number.isFinite) || !classValues(i)) {
      const expected = boxes.columns.map((col) => col.header || col.title).join(',');
      skipped.push({
        file: where,
        reason: `expected numbers in ${expected} and a class in ${chosen.column.title}`,
      });
      return;
    }
    if (xmax <= xmin || ymax <= ymin) {
      skipped.push({
        file: where,
        reason: `box ${xmin},${ymin},${xmax},${ymax} is empty (max must exceed min)`,
      });
      return;
    }
    list.push({ xmin, ymin, xmax, ymax, classIndex: classes.indexOf(classValues(i)) });
  });
  skipped.push(...unlisted(files, new Set(boxesByFile.keys()), labelFile));
  const entries = finishEntries(boxesByFile, classes).map((e) => {
    const s = splitOfFile.get(e.file);
    return s ? { ...e, split: s } : e;
  });
  const boxNames = boxes.columns.map((col) => col.header || String(col.index + 1)).join(', ');
  return {
    layout: 'detection-csv',
    choice: {
      labelSource: `${rel}, boxes in columns ${boxNames}, class in ${chosen.column.title} (${chosen.why})`,
      ...(split ? { splitSource: `${rel}, ${split.title}` } : {}),
      rejected: [],
    },
    task: 'detection',
    classes,
    entries,
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
    choice: {
      labelSource: `${labelFile.rel} (COCO: boxes in "annotations", classes in "categories")`,
      rejected: [],
    },
    task: 'detection',
    classes,
    entries: finishEntries(boxesByFile, classes),
    skipped,
    files: files.all,
  };
}
