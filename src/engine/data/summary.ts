/**
 * The dataset summary the engine surfaces under a Dataset node and `phi
 * inspect` prints: counts per class per split, patients, what was skipped,
 * and warnings for class imbalance, classes missing from a split, unreadable
 * files and identical images in two splits (found by content hash).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSummary, DatasetWarning, Split } from '../api';
import type { DatasetSource } from '../graph/node-type';
import { asItemRef } from './item-ref';
import { mapLimit } from './pool';
import { sourceInfo } from './source-info';

/** The three splits in display order. */
export const SPLITS: Split[] = ['train', 'validation', 'test'];

export type { ClassCounts, DatasetSummary, DatasetWarning } from '../api';

/** Largest-to-smallest class ratio from which imbalance is reported. */
export const IMBALANCE_RATIO = 3;

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function counts(): Record<Split, number> {
  return { train: 0, validation: 0, test: 0 };
}

/** Summarises an opened dataset; `duplicates: false` skips the content hashing (it reads every file). */
export async function summarizeDataset(
  source: DatasetSource,
  options: { duplicates?: boolean } = {},
): Promise<DatasetSummary> {
  const info = sourceInfo(source);
  const splits = counts();
  const perClass = source.classes.map((name) => ({ class: name, ...counts(), total: 0 }));
  const patients = new Set<string>();
  let withoutPatient = 0;
  for (const item of source.items) {
    splits[item.split] += 1;
    const ref = asItemRef(item.ref);
    if (ref.patientGroup) patients.add(ref.patientGroup);
    else withoutPatient += 1;
    const label = ref.label;
    const bump = (index: number): void => {
      const row = perClass[index];
      if (!row) return;
      row[item.split] += 1;
      row.total += 1;
    };
    if (label?.kind === 'class') {
      if (label.multi) label.multi.forEach((v, i) => v === 1 && bump(i));
      else bump(label.index);
    } else if (label?.kind === 'boxes') label.boxes.forEach((b) => bump(b.classIndex));
  }
  const warnings: DatasetWarning[] = [];
  const counted = source.task === 'classification' || source.task === 'detection';
  if (counted && perClass.length > 1) {
    const sorted = [...perClass].sort((a, b) => b.total - a.total);
    const most = sorted[0];
    const least = sorted[sorted.length - 1];
    if (least.total === 0 || most.total / least.total >= IMBALANCE_RATIO) {
      warnings.push({
        kind: 'imbalance',
        message:
          `Classes are imbalanced: "${most.class}" has ${most.total}, "${least.class}" has ${least.total}` +
          (least.total > 0 ? ` (${(most.total / least.total).toFixed(1)}:1)` : '') +
          '. Consider class weights, resampling or more data for the small class.',
      });
    }
    const shares = info?.shares ?? { train: 1, validation: 1, test: 1 };
    for (const row of perClass) {
      for (const split of SPLITS) {
        if (row.total > 0 && row[split] === 0 && shares[split] > 0) {
          warnings.push({
            kind: 'missing-class',
            message: `Class "${row.class}" has no ${source.task === 'detection' ? 'boxes' : 'images'} in the ${split} split.`,
          });
        }
      }
    }
  }
  for (const split of SPLITS) {
    if (splits[split] === 0 && (info?.shares[split] ?? 1) > 0) {
      warnings.push({
        kind: 'empty-split',
        message: `The ${split} split is empty: the dataset is too small for the split percentages.`,
      });
    }
  }
  if (source.skipped.length > 0) {
    warnings.push({
      kind: 'unreadable',
      message: `${source.skipped.length} file(s) or label row(s) were skipped; see the list of skipped files for the reasons.`,
      files: source.skipped.slice(0, 20).map((s) => s.file),
    });
  }
  if (info?.splitByPatient && patients.size > 0 && withoutPatient > 0) {
    warnings.push({
      kind: 'no-patient-id',
      message: `${withoutPatient} item(s) carry no patient ID, so they are split one by one and could share a patient with another split.`,
    });
  }
  if (options.duplicates !== false && info) {
    const hashes = await mapLimit(source.items, 4, async (item) => {
      const ref = asItemRef(item.ref);
      if (ref.files.length !== 1) return '';
      try {
        return `${await hashFile(join(info.root, ref.files[0]))}#${ref.frame ?? ''}`;
      } catch {
        return '';
      }
    });
    const firstOf = new Map<string, number>();
    const pairs: string[] = [];
    hashes.forEach((hash, i) => {
      if (!hash) return;
      const first = firstOf.get(hash);
      if (first === undefined) firstOf.set(hash, i);
      else if (source.items[first].split !== source.items[i].split) {
        pairs.push(
          `${source.items[first].id} (${source.items[first].split}) = ${source.items[i].id} (${source.items[i].split})`,
        );
      }
    });
    if (pairs.length > 0) {
      warnings.push({
        kind: 'duplicate',
        message: `${pairs.length} image(s) appear identically in two splits, which inflates validation and test results.`,
        files: pairs.slice(0, 20),
      });
    }
  }
  return {
    task: source.task,
    layout: info?.layout ?? 'unknown',
    classes: source.classes,
    splits,
    perClass: counted ? perClass : [],
    patients: patients.size > 0 ? patients.size : null,
    splitByPatient: info?.splitByPatient ?? false,
    formats: info?.formats ?? [],
    modalities: info?.modalities ?? [],
    port: source.port,
    skipped: source.skipped,
    warnings,
    fingerprint: source.fingerprint,
  };
}
