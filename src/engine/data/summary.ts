/**
 * The dataset summary a reviewer asks for, shown under a Dataset node and by
 * `phi inspect`: classes per split with counts, where labels and the split
 * come from, skipped files by reason, and the findings of `checks.ts`. The
 * full summary also decodes every item once, to find images with identical
 * pixels in two splits (leakage) and to count items whose label is empty.
 */
import { createHash } from 'node:crypto';
import type { DatasetSummary, DatasetWarning, Sample } from '../api';
import type { DatasetSource } from '../graph/node-type';
import { classCounts, datasetChecks } from './checks';
import { groupSkipped } from './skipped';
import { asItemRef } from './item-ref';
import { mapLimit } from './pool';
import { sourceInfo } from './source-info';

export { SPLITS } from './checks';
export type { ClassCounts, DatasetSummary, DatasetWarning } from '../api';

/** Items decoded at once by the content pass: a few, so memory stays flat on large volumes. */
const DECODE_CONCURRENCY = 4;

/** SHA-256 of an image's shape and pixel bytes: equal for the same pixels in any file format. */
function pixelHash(sample: Sample): string {
  const { data, shape } = sample.image;
  return createHash('sha256')
    .update(`${data.constructor.name}:${shape.join('x')}:`)
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

/** True when a sample's label marks nothing: a mask with no foreground, an image without boxes. */
function labelIsEmpty(sample: Sample): boolean | undefined {
  const label = sample.label;
  if (label?.kind === 'boxes') return label.boxes.length === 0;
  if (label?.kind === 'mask') return label.mask.data.every((v) => v === 0);
  return undefined;
}

/** What the content pass finds: identical images across splits and empty labels. */
async function contentFindings(
  source: DatasetSource,
  signal?: AbortSignal,
): Promise<{ warnings: DatasetWarning[]; emptyItems: number | null }> {
  const seen = await mapLimit(source.items, DECODE_CONCURRENCY, async (item) => {
    // A cancelled request stops decoding: nobody waits for the answer any more.
    signal?.throwIfAborted();
    try {
      const sample = await source.load(item);
      return { hash: pixelHash(sample), empty: labelIsEmpty(sample) };
    } catch {
      // An item that does not decode fails when it is run, with its reason; here it is just not compared.
      return undefined;
    }
  });
  const warnings: DatasetWarning[] = [];
  const firstOf = new Map<string, number>();
  const pairs: string[] = [];
  seen.forEach((s, i) => {
    if (!s) return;
    const first = firstOf.get(s.hash);
    if (first === undefined) firstOf.set(s.hash, i);
    else if (source.items[first].split !== source.items[i].split) {
      pairs.push(
        `${source.items[first].id} (${source.items[first].split}) = ${source.items[i].id} (${source.items[i].split})`,
      );
    }
  });
  if (pairs.length > 0) {
    warnings.push({
      kind: 'duplicate',
      severity: 'warning',
      message: `${pairs.length} image(s) have identical pixels in two splits, which inflates validation and test results.`,
      files: pairs.slice(0, 20),
    });
  }
  const counted = seen.filter((s) => s?.empty !== undefined);
  const empty = counted.filter((s) => s?.empty).length;
  if (empty > 0) {
    const what = source.task === 'detection' ? 'no box' : 'no foreground in their mask';
    warnings.push({
      kind: 'empty-items',
      severity: 'warning',
      message:
        `${empty} of ${counted.length} images have ${what} (background only). They are kept as real data, but a ` +
        "per-image scaling (the Neural Network's default normalization, or Min-Max Normalization) stretches their " +
        'noise to the full range: prefer "dataset-minmax" normalization or a fixed window for such sets.',
    });
  }
  return { warnings, emptyItems: counted.length > 0 ? empty : null };
}

/**
 * Summarises an opened dataset. `content: false` leaves out the pass that
 * decodes every item (identical pixels across splits, empty labels).
 */
export async function summarizeDataset(
  source: DatasetSource,
  options: { content?: boolean; signal?: AbortSignal } = {},
): Promise<DatasetSummary> {
  const info = sourceInfo(source);
  const splits = { train: 0, validation: 0, test: 0 };
  const patients = new Set<string>();
  for (const item of source.items) {
    splits[item.split] += 1;
    const group = asItemRef(item.ref).patientGroup;
    if (group) patients.add(group);
  }
  const counted = source.task === 'classification' || source.task === 'detection';
  const perClass = counted
    ? classCounts(source).map((c, i) => ({
        class: source.classes[i],
        ...c,
        total: c.train + c.validation + c.test,
      }))
    : [];
  const content = options.content === false ? undefined : await contentFindings(source, options.signal);
  return {
    task: source.task,
    layout: info?.layout ?? 'unknown',
    classes: source.classes,
    splits,
    perClass,
    patients: patients.size > 0 ? patients.size : null,
    splitByPatient: info?.splitByPatient ?? false,
    formats: info?.formats ?? [],
    modalities: info?.modalities ?? [],
    port: source.port,
    labelSource: info?.choice?.labelSource ?? 'unknown',
    splitSource: info?.choice?.splitSource ?? null,
    rejected: info?.choice?.rejected ?? [],
    skipped: source.skipped,
    skippedByReason: groupSkipped(source.skipped),
    photometric: info?.photometric ?? {},
    emptyItems: content?.emptyItems ?? null,
    warnings: [...datasetChecks(source), ...(content?.warnings ?? [])],
    fingerprint: source.fingerprint,
  };
}
