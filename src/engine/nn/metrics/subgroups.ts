/**
 * The same study metrics per subgroup (docs/metrics.md, "Subgroups"): items
 * grouped by the value of an attribute the data can tell (manufacturer,
 * model, sex, age band, site, any column a person picks), each group with its
 * counts and the figures of {@link studyMetrics} on its items alone, so a
 * reviewer sees where a model is weaker. An operating point is chosen once
 * (on the whole validation set) and applied to every group.
 */
import { studyMetrics, type ClassificationSet, type StudyMetrics, type StudyOptions } from './study';

/** Items whose attribute is missing are counted in this group. */
export const NOT_RECORDED = 'not recorded';

/** Metrics of one value of one attribute. */
export interface SubgroupResult {
  value: string;
  /** Items in the group, and of them per true class. */
  items: number;
  perClassItems: number[];
  metrics: StudyMetrics;
}

/** Every group of one attribute, ordered by value (age bands by age). */
export interface SubgroupReport {
  attribute: string;
  groups: SubgroupResult[];
}

/**
 * `045Y`, `45`, `45.5` -> `40-49`; DICOM ages in months, weeks or days (`006M`)
 * -> `0-9`. Undefined when the text is no age.
 */
export function ageBand(text: string): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([YMWD])?\s*$/i.exec(text);
  if (!match) return undefined;
  const years = match[2] && match[2].toUpperCase() !== 'Y' ? 0 : Number(match[1]);
  const low = Math.floor(years / 10) * 10;
  return `${low}-${low + 9}`;
}

/** Whether an attribute is an age, shown in 10-year bands: a column named `age` or DICOM's `PatientAge`. */
export function isAgeAttribute(name: string): boolean {
  return /^(patient[ _]?)?age$/i.test(name.trim());
}

/** The group an item falls in for an attribute. */
function groupOf(attribute: string, raw: string | undefined): string {
  const text = raw?.trim();
  if (!text) return NOT_RECORDED;
  return isAgeAttribute(attribute) ? (ageBand(text) ?? NOT_RECORDED) : text;
}

/** Order of groups: age bands by their lower bound, others by name; "not recorded" last. */
function byValue(a: string, b: string): number {
  if (a === NOT_RECORDED || b === NOT_RECORDED) return a === b ? 0 : a === NOT_RECORDED ? 1 : -1;
  const [na, nb] = [parseFloat(a), parseFloat(b)];
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** The items of `set` at `indices`, as a set of their own. */
function subset(set: ClassificationSet, indices: readonly number[]): ClassificationSet {
  return {
    classes: set.classes,
    truth: indices.map((i) => set.truth[i]),
    pred: indices.map((i) => set.pred[i]),
    ...(set.probs ? { probs: indices.map((i) => (set.probs as readonly (readonly number[])[])[i]) } : {}),
  };
}

/**
 * The study metrics of each group of each attribute. `attributes[name][i]` is
 * item i's value of that attribute (undefined when not recorded).
 */
export function subgroupStudies(
  set: ClassificationSet,
  attributes: Record<string, readonly (string | undefined)[]>,
  options: StudyOptions,
): SubgroupReport[] {
  // The threshold is the whole set's (or the validation set's), never re-chosen per group.
  const operating = options.operating && {
    ...options.operating,
    chooseOn: options.operating.chooseOn ?? set,
  };
  return Object.entries(attributes).map(([attribute, values]) => {
    const members = new Map<string, number[]>();
    values.forEach((raw, i) => {
      const group = groupOf(attribute, raw);
      members.set(group, [...(members.get(group) ?? []), i]);
    });
    const groups = [...members.entries()]
      .sort(([a], [b]) => byValue(a, b))
      .map(([value, indices]): SubgroupResult => {
        const items = subset(set, indices);
        const perClassItems = new Array<number>(set.classes).fill(0);
        for (const t of items.truth) perClassItems[t]++;
        return {
          value,
          items: indices.length,
          perClassItems,
          metrics: studyMetrics(items, { ...options, ...(operating ? { operating } : {}) }),
        };
      });
    return { attribute, groups };
  });
}
