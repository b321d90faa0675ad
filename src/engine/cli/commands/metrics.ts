/**
 * `phi metrics`: computes docs/design.md section 7's metrics from files, so users can
 * validate any model's outputs on their own test set (formats in
 * nn/metrics/files.ts). Prints a table, or the report as JSON with `--json`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { computeFileMetrics } from '../../nn/metrics/files';
import { EXIT, UsageError, type CliCommand } from '../command';

const TASKS = ['classification', 'segmentation', 'detection', 'transformation'] as const;
const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(4));

/** See the module comment. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: "compute clinical metrics from files (validate any model's outputs)",
  usage: [
    'phi metrics --task classification|segmentation|detection|transformation --truth <path> --pred <path>',
    '            [--classes N] [--range R] [--json]',
    '  classification: CSV id,label vs CSV id,label or id,p0,p1,...',
    '  segmentation:   two folders of PNG or .npy masks matched by name',
    '  transformation: two folders of .npy or 16-bit PNG matched by name; --range = data range for PSNR',
    '  detection:      COCO JSON truth (images, annotations) vs a JSON list of scored boxes',
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
        json: { type: 'boolean', default: false },
      },
    });
    const task = values.task as (typeof TASKS)[number];
    if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
    if (!values.truth || !values.pred) throw new UsageError('give --truth and --pred');
    const classes = values.classes === undefined ? undefined : Number(values.classes);
    if (classes !== undefined && (!Number.isInteger(classes) || classes < 1))
      throw new UsageError('--classes must be a positive integer');
    const range = values.range === undefined ? undefined : Number(values.range);
    if (range !== undefined && !(range > 0)) throw new UsageError('--range must be a positive number');
    let report;
    try {
      report = await computeFileMetrics({
        task,
        truth: resolve(io.cwd, values.truth),
        pred: resolve(io.cwd, values.pred),
        classes,
        range,
      });
    } catch (e) {
      io.stderr.write(`phi metrics: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
      return EXIT.ok;
    }
    const lines = [`${report.task}: ${report.matched} items compared`];
    if (report.unmatched.length)
      lines.push(
        `  not in both inputs (${report.unmatched.length}): ${report.unmatched.slice(0, 10).join(', ')}`,
      );
    for (const [k, v] of Object.entries(report.overall)) lines.push(`  ${k.padEnd(16)} ${fmt(v)}`);
    const names = Object.keys(report.perClass);
    if (names.length) {
      lines.push(`  ${'class'.padEnd(16)} ${names.map((n) => n.padStart(16)).join('')}`);
      report.classes.forEach((c, i) =>
        lines.push(`  ${c.padEnd(16)} ${names.map((n) => fmt(report.perClass[n][i]).padStart(16)).join('')}`),
      );
      lines.push(`  ${'macro'.padEnd(16)} ${names.map((n) => fmt(report.macro[n]).padStart(16)).join('')}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};
