/**
 * Skipped files and label rows grouped by reason, so that a person reads one
 * line per reason with its count and first files instead of a line per file.
 */
import type { SkippedGroup } from '../api';

/** Files named in a group's line. */
const EXAMPLES = 3;

/**
 * The grouping key of a skip reason: the reason with its file names and
 * numbers taken out, so `names a.png, which is not...` and `names b.png,
 * which is not...` read as one reason.
 */
function reasonKey(reason: string): string {
  return reason
    .replace(/\S*[/\\]\S*/g, '…')
    .replace(/\S+\.[A-Za-z][A-Za-z0-9]{0,4}\b/g, '…')
    .replace(/\d+(\.\d+)?/g, '#');
}

/** Skipped files grouped by reason, most frequent first, each with its first few files. */
export function groupSkipped(skipped: readonly { file: string; reason: string }[]): SkippedGroup[] {
  const groups = new Map<string, SkippedGroup>();
  for (const s of skipped) {
    const key = reasonKey(s.reason);
    const group = groups.get(key) ?? { reason: s.reason, count: 0, examples: [] };
    group.count += 1;
    if (group.examples.length < EXAMPLES) group.examples.push(s.file);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
