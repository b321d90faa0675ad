/**
 * `phi metrics`: computes docs/design.md section 7's metrics from files, and for
 * classification the study metrics of docs/metrics.md (AUC, average precision, Brier,
 * ECE, calibration slope, each with a 95% interval; an operating point), so users can
 * validate any model's outputs on their own test set (formats in nn/metrics/files.ts).
 * Prints a table, or the report as JSON with `--json`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TASKS } from '../../api';
import type { Interval } from '../../nn/metrics/bootstrap';
import { computeFileMetrics, type MetricsReport } from '../../nn/metrics/files';
import { parseOperatingRule, type OperatingRule } from '../../nn/metrics/operating-point';
import type { ReportValue } from '../../nn/metrics/study';
import { VOLUME_METRICS } from '../../nn/metrics/volume';
import { EXIT, UsageError, type CliCommand } from '../command';

const fmt = (v: ReportValue | undefined): string =>
  v === null || v === undefined
    ? '—'
    : Array.isArray(v)
      ? `(${v[0].toFixed(4)}–${v[1].toFixed(4)})`
      : v.toFixed(4);
const cell = (v: ReportValue | undefined, ci: ReportValue | undefined): string =>
  ci === undefined ? fmt(v) : `${fmt(v)} ${fmt(ci ?? null)}`;
const isInterval = (key: string): boolean => key.endsWith('CI95');

function integer(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}`);
  return n;
}

/** The report as a table: overall values, then one row per metric with a column per class and the macro mean. */
function table(report: MetricsReport): string[] {
  const lines = [`${report.task}: ${report.matched} items compared`];
  if (report.settings)
    lines.push(
      `  ${Object.entries(report.settings)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}`,
    );
  if (report.unmatched.length)
    lines.push(
      `  not in both inputs (${report.unmatched.length}): ${report.unmatched.slice(0, 10).join(', ')}`,
    );
  for (const [k, v] of Object.entries(report.overall)) {
    if (isInterval(k)) continue;
    const delong = report.overall[`${k}DeLongCI95`];
    lines.push(
      `  ${k.padEnd(24)} ${cell(v, report.overall[`${k}CI95`])}${delong ? `  DeLong ${fmt(delong)}` : ''}`,
    );
  }
  const names = Object.keys(report.perClass).filter((k) => !isInterval(k));
  if (names.length) {
    const cells = names.map((n) => [
      ...report.classes.map((_, i) => cell(report.perClass[n][i], report.perClass[`${n}CI95`]?.[i])),
      cell(report.macro[n], report.macro[`${n}CI95`]),
    ]);
    const width = Math.max(...report.classes.map((c) => c.length), ...cells.flat().map((c) => c.length)) + 2;
    lines.push(
      `  ${'metric'.padEnd(24)} ${[...report.classes, 'macro'].map((c) => c.padEnd(width)).join('')}`,
    );
    names.forEach((n, r) => lines.push(`  ${n.padEnd(24)} ${cells[r].map((c) => c.padEnd(width)).join('')}`));
    if (report.perClass.aucDeLongCI95)
      lines.push(
        `  ${'auc DeLong 95% CI'.padEnd(24)} ${report.perClass.aucDeLongCI95.map((v) => fmt(v).padEnd(width)).join('')}`,
      );
  }
  if (report.perCaseDice) {
    lines.push(`per-image Dice (over the images where a class is in truth or prediction):`);
    for (const d of report.perCaseDice)
      lines.push(
        `  ${d.class}: ${d.n} images, median ${fmt(d.median)} [IQR ${fmt(d.q1)}–${fmt(d.q3)}], mean ${fmt(d.mean)}, range ${fmt(d.min)}–${fmt(d.max)}`,
      );
  }
  if (report.volumes) lines.push('per volume (hd95, msd in mm):');
  for (const v of report.volumes ?? [])
    report.classes.forEach((c, k) => {
      const why = v.distanceUndefined[k];
      lines.push(
        `  ${v.name} ${c}: ${VOLUME_METRICS.map((m) => `${m} ${fmt(v.perClass[m][k])}`).join('  ')}${why ? ` (distances: ${why})` : ''}`,
      );
    });
  for (const { attribute, groups } of report.subgroups ?? []) {
    lines.push(`subgroups by ${attribute}:`);
    for (const g of groups) {
      const figures = ['accuracy', 'auc', 'brier']
        .filter((m) => m in g.overall)
        .map((m) => `${m} ${cell(g.overall[m], g.overall[`${m}CI95`])}`);
      const counts = report.classes.map((c, i) => `${c} ${g.perClassItems[i]}`).join(', ');
      lines.push(`  ${g.value} (${g.items} items: ${counts}): ${figures.join('  ')}`);
    }
  }
  const op = report.operatingPoint;
  if (op) {
    lines.push(`operating point: ${op.rule}, chosen on ${op.chosenOn}`);
    for (const p of op.classes) {
      const threshold = p.threshold === null ? 'above every score' : p.threshold.toFixed(4);
      lines.push(`  ${p.class}: threshold ${threshold}, TP ${p.tp} FP ${p.fp} TN ${p.tn} FN ${p.fn}`);
      lines.push(
        `    ${(['sensitivity', 'specificity', 'ppv', 'npv'] as const)
          .map((r) => `${r} ${cell(p[r], p[`${r}CI95`] as Interval | null)}`)
          .join('  ')}`,
      );
    }
  }
  return lines;
}

/** See the module comment. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: "compute clinical metrics from files (validate any model's outputs)",
  usage: [
    'phi metrics --task classification|segmentation|detection|transformation --truth <path> --pred <path>',
    '            [--classes N] [--range R] [--json]',
    '            [--bootstrap N] [--seed S] [--bins B] [--operating-point youden|sens=T|spec=T [--validation <csv>]]',
    '            [--patients <csv> [--patient-level mean|max]] [--subgroups <csv> [--by COLUMN,...]]',
    '  classification: CSV id,label (class names or indices) vs CSV id,label, id,p0,p1,... or',
    '                  id,label,p_<class>,... as phi predict writes it (the p_ columns name the classes);',
    '                  with probabilities: AUC (DeLong and bootstrap CI), average precision, Brier, ECE,',
    '                  calibration slope/intercept; 95% CIs by stratified bootstrap, --bootstrap resamples',
    '                  (default 2000, 0: none), --seed (default 0); --bins equal-width ECE bins (default 10);',
    '                  --operating-point picks a threshold on --pred, or on --validation predictions',
    '                  (their ids labelled in --truth), and reports sensitivity/specificity/PPV/NPV at it;',
    '                  --patients (CSV id,patient) reports per patient, by the mean (default) or max of',
    '                  the probabilities of its items; --subgroups (CSV id,<attribute>,...: manufacturer,',
    '                  model, sex, age, site...) reports the same metrics per value of each attribute (--by',
    "                  picks columns), ages in 10-year bands, with counts; the operating point is the whole set's",
    '  segmentation:   two folders of PNG or .npy masks matched by name; 0/255 and 0/1 masks are two classes;',
    '                  or of NIfTI label volumes (.nii, .nii.gz): per volume and foreground class Dice, IoU,',
    "                  HD95 and mean surface distance in mm (the truth's voxel spacing), and their means",
    '  transformation: two folders of .npy or 16-bit PNG matched by name; --range = data range R for PSNR',
    "                  (default: the targets' max - min, printed with the result)",
    '  detection:      COCO JSON truth (images, annotations) vs a JSON list of scored boxes; mAP uses every',
    '                  box, accuracy by class counts a class found where a box scores >= --score-threshold',
    "                  (default 0.3, the network node's detection threshold; printed with the result)",
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        task: { type: 'string' },
        truth: { type: 'string' },
        pred: { type: 'string' },
        classes: { type: 'string' },
        range: { type: 'string' },
        bootstrap: { type: 'string' },
        seed: { type: 'string' },
        bins: { type: 'string' },
        'operating-point': { type: 'string' },
        validation: { type: 'string' },
        patients: { type: 'string' },
        'patient-level': { type: 'string' },
        subgroups: { type: 'string' },
        'score-threshold': { type: 'string' },
        by: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const task = values.task as (typeof TASKS)[number];
    if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
    if (!values.truth || !values.pred) throw new UsageError('give --truth and --pred');
    const classes = integer(values.classes, '--classes', 1);
    const range = values.range === undefined ? undefined : Number(values.range);
    if (range !== undefined && !(range > 0)) throw new UsageError('--range must be a positive number');
    const bootstrap = integer(values.bootstrap, '--bootstrap', 0);
    const seed = integer(values.seed, '--seed', 0);
    const bins = integer(values.bins, '--bins', 1);
    if (values.validation && !values['operating-point'])
      throw new UsageError('--validation chooses an operating point: give --operating-point too');
    let rule: OperatingRule | undefined;
    try {
      rule =
        values['operating-point'] === undefined ? undefined : parseOperatingRule(values['operating-point']);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const how = values['patient-level'] ?? 'mean';
    if (how !== 'mean' && how !== 'max') throw new UsageError('--patient-level must be mean or max');
    if (values['patient-level'] && !values.patients)
      throw new UsageError('--patient-level aggregates per patient: give --patients <csv> too');
    const scoreThreshold =
      values['score-threshold'] === undefined ? undefined : Number(values['score-threshold']);
    if (scoreThreshold !== undefined && !(scoreThreshold >= 0 && scoreThreshold <= 1))
      throw new UsageError('--score-threshold must be a number from 0 to 1');
    if (scoreThreshold !== undefined && task !== 'detection')
      throw new UsageError('--score-threshold applies to --task detection');
    if (values.by && !values.subgroups)
      throw new UsageError('--by picks columns of --subgroups <csv>: give --subgroups too');
    if (
      task !== 'classification' &&
      (rule || bootstrap !== undefined || bins !== undefined || values.patients || values.subgroups)
    )
      throw new UsageError(
        '--bootstrap, --bins, --operating-point, --patients and --subgroups apply to --task classification',
      );
    let report;
    try {
      report = await computeFileMetrics({
        task,
        truth: resolve(io.cwd, values.truth),
        pred: resolve(io.cwd, values.pred),
        classes,
        range,
        bootstrap,
        seed,
        bins,
        operatingPoint: rule && {
          rule,
          validation: values.validation && resolve(io.cwd, values.validation),
        },
        patients: values.patients ? { file: resolve(io.cwd, values.patients), how } : undefined,
        scoreThreshold,
        subgroups: values.subgroups
          ? { file: resolve(io.cwd, values.subgroups), by: values.by?.split(',').map((c) => c.trim()) }
          : undefined,
      });
    } catch (e) {
      io.stderr.write(`phi metrics: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
      return EXIT.ok;
    }
    io.stdout.write(`${table(report).join('\n')}\n`);
    return EXIT.ok;
  },
};
