/**
 * The figures of an evaluation as rows of text, shared by `phi evaluate`, the Output tab, the HTML
 * report and its tests: each value with its 95% interval and the items it was computed on.
 */
import { isSmallSubgroup, type EvaluationRecord, type EvaluationValue } from './evaluation';

/** One printed figure. */
export interface FigureRow {
  /** Stable key (`auc`, `sensitivity`...), for tests and anchors. */
  key: string;
  label: string;
  value: number | null;
  interval: [number, number] | null;
  /** How the interval was computed, when it is not the bootstrap. */
  note?: string;
}

/** A number as the report prints it: 3 decimals, "—" when undefined. */
export function formatValue(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(3);
}

/** An interval as `[a, b]`, "—" when undefined. */
export function formatInterval(interval: [number, number] | null | undefined): string {
  return interval ? `[${formatValue(interval[0])}, ${formatValue(interval[1])}]` : '—';
}

const num = (v: EvaluationValue | undefined): number | null => (typeof v === 'number' ? v : null);
const ci = (v: EvaluationValue | undefined): [number, number] | null => (Array.isArray(v) ? v : null);

/** What the overall figures refer to: class 1 of two, or the macro means of more. */
export function overallScope(record: EvaluationRecord): string {
  return record.classes.length === 2
    ? `${record.classes[1]} as the positive class`
    : `macro means over ${record.classes.length} classes`;
}

/** The headline figures: discrimination, calibration and the operating point's rates. */
export function figureRows(record: EvaluationRecord): FigureRow[] {
  const o = record.study.overall;
  const row = (key: string, label: string): FigureRow => ({
    key,
    label,
    value: num(o[key]),
    interval: ci(o[`${key}CI95`]),
  });
  const rows: FigureRow[] = [
    row('auc', 'ROC AUC'),
    ...(o.aucDeLongCI95 !== undefined
      ? [
          {
            key: 'aucDeLong',
            label: 'ROC AUC (DeLong interval)',
            value: num(o.auc),
            interval: ci(o.aucDeLongCI95),
            note: 'DeLong',
          },
        ]
      : []),
    row('averagePrecision', 'Average precision'),
    row('accuracy', 'Accuracy (largest probability)'),
    row('brier', 'Brier score'),
    row('ece', `ECE (${record.study.settings.bins ?? 10} bins)`),
  ];
  if (record.classes.length === 2)
    rows.push(
      row('calibrationSlope', 'Calibration slope'),
      row('calibrationIntercept', 'Calibration intercept'),
    );
  else {
    // More classes: the overall AUC is a macro mean; each class's one-vs-rest AUC follows.
    const auc = record.study.perClass.auc ?? [];
    const aucCI = record.study.perClass.aucCI95 ?? [];
    record.classes.forEach((name, c) =>
      rows.push({
        key: `auc.${c}`,
        label: `ROC AUC, ${name} vs rest`,
        value: num(auc[c]),
        interval: ci(aucCI[c]),
      }),
    );
  }
  for (const op of record.study.operatingPoint?.classes ?? []) {
    const suffix = record.classes.length === 2 ? '' : ` (${record.classes[op.classIndex]})`;
    rows.push(
      {
        key: 'sensitivity',
        label: `Sensitivity at the operating point${suffix}`,
        value: op.sensitivity,
        interval: op.sensitivityCI95,
      },
      {
        key: 'specificity',
        label: `Specificity at the operating point${suffix}`,
        value: op.specificity,
        interval: op.specificityCI95,
      },
      { key: 'ppv', label: `PPV at the operating point${suffix}`, value: op.ppv, interval: op.ppvCI95 },
      { key: 'npv', label: `NPV at the operating point${suffix}`, value: op.npv, interval: op.npvCI95 },
    );
  }
  return rows;
}

/** Items per class in words, e.g. `36 items: no-lesion 18, lesion 18`. */
export function countsText(classes: string[], items: number, counts: number[]): string {
  return `${items} items: ${classes.map((name, c) => `${name} ${counts[c] ?? 0}`).join(', ')}`;
}

/** The operating point's threshold and counts in words, one line per class. */
export function operatingText(record: EvaluationRecord): string[] {
  const point = record.study.operatingPoint;
  if (!point?.classes.length)
    return ['No operating point: the validation split has no items of both outcomes'];
  return point.classes.map(
    (op) =>
      `${record.classes[op.classIndex]}: threshold ${op.threshold === null ? 'above every score' : op.threshold.toPrecision(4)} ` +
      `(${point.rule}, chosen on the validation split${record.operatingSet ? ` of ${record.operatingSet.items} items` : ''}); ` +
      `TP ${op.tp}, FP ${op.fp}, TN ${op.tn}, FN ${op.fn}`,
  );
}

/** One group of a subgroup table: its counts and headline figures, each with its 95% interval. */
export interface SubgroupRow {
  attribute: string;
  value: string;
  items: number;
  /** Items per true class, in class order, and in words. */
  perClassItems: number[];
  counts: string;
  figures: { key: string; label: string; value: number | null; interval: [number, number] | null }[];
  /** Few items of some class (`isSmallSubgroup`): wide intervals. */
  small: boolean;
}

/** The columns of every subgroup table: the AUC, and with two classes the operating point's rates. */
export function subgroupColumns(record: EvaluationRecord): { key: string; label: string }[] {
  return [
    { key: 'auc', label: record.classes.length === 2 ? 'ROC AUC' : 'ROC AUC (macro)' },
    ...(record.classes.length === 2 && record.study.operatingPoint?.classes.length
      ? [
          { key: 'sensitivity', label: 'Sensitivity' },
          { key: 'specificity', label: 'Specificity' },
        ]
      : []),
  ];
}

/** Every group of every subgroup attribute of `record`, in the stored order. */
export function subgroupRows(record: EvaluationRecord): SubgroupRow[] {
  const columns = subgroupColumns(record);
  return (record.subgroups ?? []).flatMap(({ attribute, groups }) =>
    groups.map((group) => {
      const op = group.operatingPoint?.[0];
      const figure = (key: string): { value: number | null; interval: [number, number] | null } =>
        key === 'auc'
          ? { value: num(group.overall.auc), interval: ci(group.overall.aucCI95) }
          : key === 'sensitivity'
            ? { value: op?.sensitivity ?? null, interval: op?.sensitivityCI95 ?? null }
            : { value: op?.specificity ?? null, interval: op?.specificityCI95 ?? null };
      return {
        attribute,
        value: group.value,
        items: group.items,
        perClassItems: group.perClassItems,
        counts: record.classes.map((name, c) => `${name} ${group.perClassItems[c] ?? 0}`).join(', '),
        figures: columns.map((c) => ({ ...c, ...figure(c.key) })),
        small: isSmallSubgroup(group),
      };
    }),
  );
}
