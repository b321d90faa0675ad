/**
 * `phi evaluate <project> --node ID --dataset DIR [--json]`: external validation of a
 * trained network, through the engine's `evaluateDataset` (service/external-evaluation.ts):
 * a classifier's study report (docs/metrics.md), with the operating point chosen on the
 * training's validation split, or a segmentation or transformation network's figures in
 * the source geometry, is printed and stored in the project as an evaluation run.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  countsText,
  figureRows,
  formatInterval,
  formatValue,
  measuredFigureRows,
  measuredScope,
  operatingText,
  overallScope,
  SMALL_SUBGROUP_CLASS_ITEMS,
  subgroupRows,
  volumeFigureLines,
  type EvaluationRecord,
  type MeasuredEvaluationRecord,
} from '../../api';
import { DEFAULT_RESAMPLES } from '../../nn/metrics/bootstrap';
import { parseOperatingRule } from '../../nn/metrics/operating-point';
import { describeUpgrade } from '../../store/node-upgrades';
import { EXIT, UsageError, type CliCommand } from '../command';
import { createCliEngine } from '../engine';

/** The report in text: where it comes from, counts, each figure with its interval, each subgroup's. */
export function formatEvaluation(record: EvaluationRecord): string {
  const lines = [
    `External evaluation of "${record.node}" on ${record.dataset ?? ''}`,
    `Classes: ${record.classes.join(', ')}; ${countsText(record.classes, record.items, record.counts)}`,
    `Overall figures: ${overallScope(record)}; 95% intervals from ${record.study.settings.bootstrap} stratified bootstrap resamples`,
    ...figureRows(record).map(
      (f) =>
        `  ${f.label.padEnd(44)} ${formatValue(f.value).padStart(6)}  ${formatInterval(f.interval)}${f.note ? ` (${f.note})` : ''}`,
    ),
    ...operatingText(record).map((line) => `Operating point: ${line}`),
    `Confusion matrix (rows true, columns predicted; ${record.confusionRule}):`,
    ...record.confusion.map(
      (row, i) => `  ${record.classes[i].padEnd(16)} ${row.map((n) => String(n).padStart(6)).join('')}`,
    ),
    ...(record.subgroups?.length
      ? [
          `Subgroups (each on its own items, at the same threshold; "small": fewer than ${SMALL_SUBGROUP_CLASS_ITEMS} items of some class):`,
        ]
      : []),
    ...subgroupRows(record).map(
      (row) =>
        `  ${`${row.attribute}: ${row.value}`.padEnd(32)} n ${String(row.items).padStart(5)} (${row.counts})${row.small ? ' small' : ''}; ` +
        row.figures.map((f) => `${f.label} ${formatValue(f.value)} ${formatInterval(f.interval)}`).join('; '),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** A segmentation or transformation network's figures on the folder, each volume's after them. */
export function formatMeasuredEvaluation(record: MeasuredEvaluationRecord): string {
  const lines = [
    `External evaluation of "${record.node}" on ${record.dataset}`,
    `Figures: ${measuredScope(record)}${record.classes.length ? `; classes ${record.classes.join(', ')}` : ''}`,
    ...measuredFigureRows(record.metrics, record.classes).map(
      (f) => `  ${f.label.padEnd(44)} ${formatValue(f.value).padStart(6)}`,
    ),
    ...(record.confusion.length
      ? [
          `Confusion matrix (${record.volumes?.length ? 'voxels' : 'pixels'}; rows true, columns predicted):`,
          ...record.confusion.map(
            (row, i) =>
              `  ${record.classes[i].padEnd(16)} ${row.map((n) => String(n).padStart(10)).join('')}`,
          ),
        ]
      : []),
    ...volumeFigureLines(
      record.volumes ?? [],
      record.classes,
      record.runId,
      `External folder ${record.dataset}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** See the module comment. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary:
    'evaluate a trained classifier, segmentation or transformation network on another labelled folder (external validation)',
  usage:
    "phi evaluate <project.phiproj> --node ID --dataset DIR [--operating-point youden|sens=T|spec=T (default: the node's)] [--bootstrap N] [--seed S] [--json]",
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        node: { type: 'string' },
        dataset: { type: 'string' },
        'operating-point': { type: 'string' },
        bootstrap: { type: 'string', default: String(DEFAULT_RESAMPLES) },
        seed: { type: 'string', default: '0' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1 || !values.node || !values.dataset)
      throw new UsageError('give a project, --node ID and --dataset DIR');
    try {
      if (values['operating-point'] !== undefined) parseOperatingRule(values['operating-point']);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const resamples = Number(values.bootstrap);
    const seed = Number(values.seed);
    if (!Number.isInteger(resamples) || resamples < 0) throw new UsageError('--bootstrap takes a count >= 0');
    if (!Number.isInteger(seed)) throw new UsageError('--seed takes an integer');
    const engine = createCliEngine();
    try {
      const snapshot = await engine.openProject({ path: resolve(io.cwd, positionals[0]) });
      for (const upgrade of snapshot.nodeUpgrades ?? [])
        io.stderr.write(`phi evaluate: ${describeUpgrade(upgrade)}\n`);
      const { record, failed, dropped } = await engine.evaluateDataset({
        node: values.node,
        dataset: resolve(io.cwd, values.dataset),
        ...(values['operating-point'] !== undefined ? { operatingPoint: values['operating-point'] } : {}),
        bootstrap: resamples,
        seed,
      });
      io.stdout.write(
        values.json
          ? `${JSON.stringify(record)}\n`
          : 'study' in record
            ? formatEvaluation(record)
            : formatMeasuredEvaluation(record),
      );
      for (const f of failed) io.stderr.write(`phi evaluate: ${f.id}: ${f.reason}\n`);
      if (failed.length) io.stderr.write(`phi evaluate: ${failed.length} item(s) could not be evaluated\n`);
      if (dropped)
        io.stderr.write(`phi evaluate: ${dropped} item(s) dropped by a filter module of the chain\n`);
      return EXIT.ok;
    } catch (error) {
      io.stderr.write(`phi evaluate: ${(error as Error).message}\n`);
      return EXIT.failed;
    } finally {
      engine.closeProject();
    }
  },
};
