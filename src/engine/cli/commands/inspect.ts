/**
 * `phi inspect <file|dir> [--json]`: what a file or a dataset folder holds,
 * as the engine will read it. Per file: format, shape, dtype, modality, unit,
 * photometric interpretation, min/max/mean after rescale (frame 0 and
 * overall) and of the stored values, or the error; for a
 * folder also the dataset's task, counts per class and split, and warnings.
 * Exit codes: 0 all read, 1 some file or the dataset could not be read, 2 bad usage.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TASKS, type Task } from '../../api';
import { inspectPath, type FileReport, type InspectReport } from '../../data/inspect';
import { LAYOUTS, type Layout } from '../../data/params';
import { SPLITS } from '../../data/summary';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';

function fmt(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(1) : Number(v.toPrecision(5)).toString();
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The readable (non-JSON) form of a report. */
export function formatReport(report: InspectReport): string {
  const out: string[] = [];
  const header = [
    'file',
    'format',
    'shape',
    'dtype',
    'modality',
    'unit',
    'photometric',
    'min',
    'max',
    'mean',
    'stored min/max/mean',
    'frame 0 min/max/mean',
  ];
  const rows = report.files.map((f: FileReport) =>
    'error' in f
      ? [f.file, 'error', f.error]
      : [
          f.file,
          f.format,
          f.shape.join('x'),
          f.dtype,
          f.modality,
          f.unit,
          f.photometric ?? '',
          fmt(f.min),
          fmt(f.max),
          fmt(f.mean),
          // Only where a rescale makes them differ from the values used.
          f.stored.min === f.rescaled.min &&
          f.stored.max === f.rescaled.max &&
          f.stored.mean === f.rescaled.mean
            ? ''
            : `${fmt(f.stored.min)}/${fmt(f.stored.max)}/${fmt(f.stored.mean)}`,
          f.shape.length === 4 ? `${fmt(f.frame0.min)}/${fmt(f.frame0.max)}/${fmt(f.frame0.mean)}` : '',
        ],
  );
  out.push(
    table([
      header,
      ...rows.map((r) => (r.length === 3 ? [r[0], r[1], ...Array(header.length - 2).fill('')] : r)),
    ]),
  );
  const errors = report.files.filter((f): f is { file: string; error: string } => 'error' in f);
  for (const e of errors) out.push(`  ${e.file}: ${e.error}`);
  if (report.notInspected > 0) out.push(`(${report.notInspected} more files not inspected: raise --limit)`);
  const d = report.dataset;
  if (d && 'error' in d) out.push('', `dataset: ${d.error}`);
  else if (d) {
    out.push(
      '',
      `dataset: task ${d.task}, layout ${d.layout}, ${d.classes.length} classes, formats ${d.formats.join(', ')}`,
    );
    out.push(
      `splits: ${SPLITS.map((s) => `${s} ${d.splits[s]}`).join(', ')}` +
        (d.patients !== null
          ? `; ${d.patients} patients${d.splitByPatient ? ', split by patient' : ''}`
          : ''),
    );
    if (d.perClass.length > 0) {
      out.push(
        table([
          ['class', ...SPLITS, 'total'],
          ...d.perClass.map((c) => [
            c.class,
            String(c.train),
            String(c.validation),
            String(c.test),
            String(c.total),
          ]),
        ]),
      );
    }
    out.push(`labels: ${d.labelSource}`);
    out.push(`split: ${d.splitSource ?? 'computed from the split percentages'}`);
    for (const r of d.rejected) out.push(`not used: ${r.what}: ${r.reason}`);
    const photometric = Object.entries(d.photometric);
    if (photometric.length > 0)
      out.push(`photometric: ${photometric.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    if (d.emptyItems !== null) out.push(`items with an empty label (background only): ${d.emptyItems}`);
    // Errors are the set-ups a network refuses to train on; skipped files appear once per reason among the warnings.
    for (const w of d.warnings) out.push(`${w.severity === 'error' ? 'error' : 'warning'}: ${w.message}`);
  }
  return `${out.join('\n')}\n`;
}

function options(args: string[]): {
  path: string;
  json: boolean;
  task?: Task;
  layout?: Layout;
  labels?: string;
  labelColumn?: string;
  splitColumn?: string;
  limit?: number;
} {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      task: { type: 'string' },
      layout: { type: 'string' },
      labels: { type: 'string' },
      'label-column': { type: 'string' },
      'split-column': { type: 'string' },
      limit: { type: 'string' },
    },
  });
  // The design's spelling `phi inspect dataset DIR` is accepted too.
  const paths = positionals[0] === 'dataset' && positionals.length === 2 ? positionals.slice(1) : positionals;
  if (paths.length !== 1) throw new UsageError('give exactly one file or folder to inspect');
  if (values.task && !TASKS.includes(values.task as Task))
    throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
  if (values.layout && !LAYOUTS.includes(values.layout as Layout)) {
    throw new UsageError(`--layout must be one of ${LAYOUTS.join(', ')}`);
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new UsageError('--limit must be a whole number');
  return {
    path: paths[0],
    json: values.json,
    ...(values.task ? { task: values.task as Task } : {}),
    ...(values.layout ? { layout: values.layout as Layout } : {}),
    ...(values.labels ? { labels: values.labels } : {}),
    ...(values['label-column'] ? { labelColumn: values['label-column'] } : {}),
    ...(values['split-column'] ? { splitColumn: values['split-column'] } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/** See the module comment. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'show what a medical image file or dataset folder holds, as the engine reads it',
  usage: [
    'phi inspect <file|dir> [--json] [--task T] [--layout L] [--labels FILE] [--label-column NAME]',
    '            [--split-column NAME] [--limit N]',
    '  --json     print one JSON object (files, and dataset for a folder)',
    '  --task     classification|segmentation|detection|transformation (folders; guessed when absent)',
    '  --layout   auto|class-folders|csv|one-hot-csv|mask-folders|detection-csv|coco|paired-folders',
    '  --labels   label file (CSV or COCO JSON) relative to the folder',
    '  --label-column, --split-column   the CSV columns that hold the label and the official split',
    '  --limit    inspect at most N files of a folder',
  ].join('\n'),
  async run(args: string[], io: CliIO) {
    const o = options(args);
    const report = await inspectPath(resolve(io.cwd, o.path), {
      params: {
        ...(o.task ? { task: o.task } : {}),
        ...(o.layout ? { layout: o.layout } : {}),
        ...(o.labels ? { labelsFile: o.labels } : {}),
        ...(o.labelColumn ? { labelColumn: o.labelColumn } : {}),
        ...(o.splitColumn ? { splitColumn: o.splitColumn } : {}),
      },
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
    });
    io.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    let failed = false;
    for (const f of report.files) {
      if ('error' in f) {
        io.stderr.write(`phi inspect: ${f.file}: ${f.error}\n`);
        failed = true;
      }
    }
    if (report.dataset && 'error' in report.dataset) {
      io.stderr.write(`phi inspect: dataset: ${report.dataset.error}\n`);
      failed = true;
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
