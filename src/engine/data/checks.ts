/**
 * What a dataset must satisfy before a network is trained on it, and what a
 * reviewer should know about it, computed from the index alone (no pixel is
 * decoded, so the checks are cheap enough to run on every graph snapshot).
 *
 * Findings of severity `error` are degenerate set-ups (one class, a class
 * with no training item, an empty split, most files skipped): a network fed
 * by such a dataset is refused before training, with the sentence shown here.
 */
import type { DatasetWarning, Split } from '../api';
import type { DatasetSource } from '../graph/node-type';
import { asItemRef } from './item-ref';
import { groupSkipped } from './skipped';
import { sourceInfo } from './source-info';

/** The three splits in display order. */
export const SPLITS: Split[] = ['train', 'validation', 'test'];

/** Largest-to-smallest class ratio from which imbalance is reported. */
export const IMBALANCE_RATIO = 3;

/** Share of skipped files and rows above which the dataset is taken to be read the wrong way. */
export const MOSTLY_SKIPPED = 0.5;

/** Items per class per split (boxes for detection; multi-label counts an item once per class). */
export function classCounts(source: DatasetSource): Record<Split, number>[] {
  const rows = source.classes.map(() => ({ train: 0, validation: 0, test: 0 }));
  for (const item of source.items) {
    const label = asItemRef(item.ref).label;
    const bump = (index: number): void => {
      if (rows[index]) rows[index][item.split] += 1;
    };
    if (label?.kind === 'class') {
      if (label.multi) label.multi.forEach((v, i) => v === 1 && bump(i));
      else bump(label.index);
    } else if (label?.kind === 'boxes') label.boxes.forEach((b) => bump(b.classIndex));
  }
  return rows;
}

const quote = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/** The class findings of a classification or detection dataset. */
function classFindings(source: DatasetSource, shares: Record<Split, number>): DatasetWarning[] {
  const found: DatasetWarning[] = [];
  const counts = classCounts(source);
  const totals = counts.map((c) => c.train + c.validation + c.test);
  const unit = source.task === 'detection' ? 'boxes' : 'images';
  const labelSource = sourceInfo(source)?.choice?.labelSource;
  const from = labelSource ? ` in ${labelSource}` : '';
  if (source.task === 'classification' && source.classes.length < 2) {
    found.push({
      kind: 'one-class',
      severity: 'error',
      message:
        source.classes.length === 0
          ? `The dataset has no class${from}: add one folder per class, or name the label column ("labelColumn").`
          : `The dataset has only one class, ${quote(source.classes)}${from}: a classifier needs at least two; ` +
            'add a folder (or label value) per class, or choose the column that holds the diagnosis ("labelColumn").',
    });
    return found;
  }
  if (source.task === 'detection' && totals.every((t) => t === 0)) {
    found.push({
      kind: 'one-class',
      severity: 'error',
      message: 'No image has a box: a detector needs boxes to learn from; check the label file.',
    });
    return found;
  }
  const untrained = source.classes.filter((_, i) => totals[i] > 0 && counts[i].train === 0);
  const absent = source.classes.filter((_, i) => totals[i] === 0);
  if (untrained.length > 0 || (source.task === 'classification' && absent.length > 0)) {
    const names = [...untrained, ...(source.task === 'classification' ? absent : [])];
    found.push({
      kind: 'class-without-training',
      severity: 'error',
      message:
        `${names.length === 1 ? 'Class' : 'Classes'} ${quote(names)} ${names.length === 1 ? 'has' : 'have'} ` +
        `no training ${unit}, so the network cannot learn ${names.length === 1 ? 'it' : 'them'}: ` +
        `add training ${unit}, or raise the training percentage.`,
    });
  }
  const present = totals.map((t, i) => ({ name: source.classes[i], total: t })).filter((c) => c.total > 0);
  if (present.length > 1) {
    const sorted = [...present].sort((a, b) => b.total - a.total);
    const most = sorted[0];
    const least = sorted[sorted.length - 1];
    if (most.total / least.total >= IMBALANCE_RATIO) {
      found.push({
        kind: 'imbalance',
        severity: 'warning',
        message:
          `Classes are imbalanced: "${most.name}" has ${most.total}, "${least.name}" has ${least.total} ` +
          `(${(most.total / least.total).toFixed(1)}:1). Consider class weights, resampling or more data for the small class.`,
      });
    }
  }
  for (const split of ['validation', 'test'] as const) {
    // An empty split is its own finding.
    if (shares[split] === 0 || !source.items.some((i) => i.split === split)) continue;
    const missing = source.classes.filter((_, i) => totals[i] > 0 && counts[i][split] === 0);
    if (missing.length > 0) {
      found.push({
        kind: 'missing-class',
        severity: 'warning',
        message:
          `The ${split} split has no ${unit} of ${quote(missing)}: ` +
          `${missing.length === 1 ? 'its' : 'their'} ${split} metrics are undefined (n/a).`,
      });
    }
  }
  return found;
}

/** The findings of the index: errors refuse training, warnings are shown. */
export function datasetChecks(source: DatasetSource): DatasetWarning[] {
  const info = sourceInfo(source);
  const shares = info?.shares ?? { train: 1, validation: 1, test: 1 };
  const found: DatasetWarning[] = [];
  const items = source.items.length;
  const skipped = source.skipped.length;
  if (skipped > 0 && skipped / (skipped + items) > MOSTLY_SKIPPED) {
    const top = groupSkipped(source.skipped)[0];
    found.push({
      kind: 'mostly-skipped',
      severity: 'error',
      message:
        `${skipped} of ${skipped + items} files or label rows were skipped (most often: ${top.reason}): ` +
        'the folder is probably read with the wrong layout or label file; check the skipped list and set "layout" or "labelsFile".',
      files: source.skipped.slice(0, 20).map((s) => s.file),
    });
  }
  if (source.task === 'classification' || source.task === 'detection') {
    found.push(...classFindings(source, shares));
  } else if (source.task === 'segmentation' && source.classes.length < 2) {
    found.push({
      kind: 'one-class',
      severity: 'error',
      message:
        `The masks hold a single class (${quote(source.classes)}), so there is nothing to segment: ` +
        'check the mask folder, or set "classMap".',
    });
  }
  const perSplit = { train: 0, validation: 0, test: 0 };
  for (const item of source.items) perSplit[item.split] += 1;
  for (const split of SPLITS) {
    if (perSplit[split] > 0 || (split !== 'train' && shares[split] === 0)) continue;
    const at = `(${items} item${items === 1 ? '' : 's'} at ${shares.train}/${shares.validation}/${shares.test}%)`;
    // Training validates on a seeded 20% of the training items when there is no validation split.
    found.push(
      split === 'validation'
        ? {
            kind: 'empty-split',
            severity: 'warning',
            message: `The validation split is empty ${at}: a seeded 20% of the training items validate each epoch instead.`,
          }
        : {
            kind: 'empty-split',
            severity: 'error',
            message:
              `The ${split} split is empty ${at}: add data` +
              (split === 'test'
                ? ', or set the test percentage to 0.'
                : ', or raise the training percentage.'),
          },
    );
  }
  for (const group of groupSkipped(source.skipped)) {
    const more = group.count > group.examples.length ? ', …' : '';
    found.push({
      kind: 'unreadable',
      severity: 'warning',
      message:
        group.count === 1
          ? `Skipped ${group.examples[0]}: ${group.reason}`
          : `${group.count} files or rows skipped: ${group.reason} (${group.examples.join(', ')}${more})`,
    });
  }
  found.push(...patientFindings(source, info?.splitByPatient ?? false));
  found.push(...acquisitionFindings(info?.photometric ?? {}, info?.modalities ?? []));
  return found;
}

/** Patients in two splits (leakage), and items that cannot be grouped by patient. */
function patientFindings(source: DatasetSource, splitByPatient: boolean): DatasetWarning[] {
  const splitsOf = new Map<string, Set<Split>>();
  let withoutPatient = 0;
  for (const item of source.items) {
    const group = asItemRef(item.ref).patientGroup;
    if (!group) {
      withoutPatient += 1;
      continue;
    }
    const splits = splitsOf.get(group) ?? new Set<Split>();
    splits.add(item.split);
    splitsOf.set(group, splits);
  }
  const found: DatasetWarning[] = [];
  const leaking = [...splitsOf.values()].filter((s) => s.size > 1).length;
  if (leaking > 0) {
    found.push({
      kind: 'patient-leak',
      severity: 'warning',
      message:
        `${leaking} of ${splitsOf.size} patients have images in more than one split, which inflates validation and test results` +
        (splitByPatient ? ' (the dataset came split this way)' : ': turn on "splitByPatient"') +
        '.',
    });
  }
  if (splitByPatient && splitsOf.size > 0 && withoutPatient > 0) {
    found.push({
      kind: 'no-patient-id',
      severity: 'warning',
      message: `${withoutPatient} item(s) carry no patient ID, so they are split one by one and could share a patient with another split.`,
    });
  }
  return found;
}

/** Mixed photometric interpretations (inverted grey scales) and mixed modalities. */
function acquisitionFindings(photometric: Record<string, number>, modalities: string[]): DatasetWarning[] {
  const found: DatasetWarning[] = [];
  if (photometric.MONOCHROME1 && photometric.MONOCHROME2) {
    found.push({
      kind: 'mixed-photometric',
      severity: 'warning',
      message:
        `${photometric.MONOCHROME1} item(s) are MONOCHROME1 (high values shown dark) and ${photometric.MONOCHROME2} ` +
        'MONOCHROME2 (high values shown bright): their grey scales run opposite ways; add the "Invert MONOCHROME1" module ' +
        'before training so that both read the same way.',
    });
  }
  const scanned = modalities.filter((m) => m !== 'unknown' && m !== 'photo');
  if (scanned.length > 1) {
    found.push({
      kind: 'mixed-modality',
      severity: 'warning',
      message: `The dataset mixes modalities (${scanned.join(', ')}): check that this is meant.`,
    });
  }
  return found;
}
