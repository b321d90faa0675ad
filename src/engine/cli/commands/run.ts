/**
 * `phi run`: runs a project (all, a sample, one node, or step forward) and
 * prints per-node progress, a line per training epoch and each node's shape
 * summary; with `--json`, every engine event as one JSON object per line.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { volumeFigureLines, type EngineEvent, type RunRequest, type SampleSize } from '../../api';
import { formatShape } from '../../run/shape-summary';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';
import { createCliEngine } from '../engine';
import { SLURM_OPTIONS, SLURM_USAGE, parseSlurmOptions } from '../slurm-options';
import { slurmTraining } from '../../cluster/slurm-training';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { formatMetrics } from '../format';

/** Parses `--sample 200` or `--sample 10%`. */
export function parseSampleSize(text: string): SampleSize {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--sample must be a count (200) or a percentage (10%), not "${text}"`);
  const value = Number(match[1]);
  if (match[2]) {
    if (value <= 0 || value > 100) throw new UsageError('--sample percentage must be in (0, 100]');
    return { percent: value };
  }
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError('--sample count must be a positive integer');
  return { count: value };
}

/** Progress display: a redrawn bar on a terminal, plain lines when piped. */
class ProgressPrinter {
  private lastLine = new Map<string, number>();
  constructor(private readonly io: CliIO) {}

  private get tty(): boolean {
    return Boolean(this.io.stdout.isTTY);
  }

  progress(node: string, done: number, total: number): void {
    if (this.tty) {
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.io.stdout.write(`\r  ${node.padEnd(20)} ${bar} ${done}/${total}\x1b[K`);
      return;
    }
    // Piped: one line per 10% step so logs stay readable.
    const step = total > 0 ? Math.floor((done / total) * 10) : 10;
    if (this.lastLine.get(node) === step) return;
    this.lastLine.set(node, step);
    this.io.stdout.write(`  ${node}: ${done}/${total}\n`);
  }

  line(text: string): void {
    this.io.stdout.write(`${this.tty ? '\r\x1b[K' : ''}${text}\n`);
  }
}

/** See the module comment. */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a project: all, --sample N|P%, --node ID or --step-forward ID',
  usage: `phi run <project.phiproj> [--sample N|P%] [--node ID] [--step-forward ID] [--json]\n${SLURM_USAGE}\n         (each network trains as one Slurm job, docs/cluster.md)`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        sample: { type: 'string' },
        node: { type: 'string' },
        'step-forward': { type: 'string' },
        json: { type: 'boolean', default: false },
        ...SLURM_OPTIONS,
      },
    });
    const [path] = positionals;
    if (!path || positionals.length > 1) throw new UsageError('give exactly one project file');
    const slurm = parseSlurmOptions(values, { project: resolve(io.cwd, path) });
    const chosen = [values.sample, values.node, values['step-forward']].filter((v) => v !== undefined);
    if (chosen.length > 1) throw new UsageError('--sample, --node and --step-forward exclude each other');
    const request: RunRequest = values.sample
      ? { mode: 'sample', sample: parseSampleSize(values.sample) }
      : values.node
        ? { mode: 'node', node: values.node }
        : values['step-forward']
          ? { mode: 'step-forward', node: values['step-forward'] }
          : { mode: 'all' };

    const engine = createCliEngine(slurm ? { registry: slurmTraining(slurm)(createBuiltinRegistry()) } : {});
    const printer = new ProgressPrinter(io);
    const shapes = new Map<string, string>();
    let runId: string | undefined;
    const unsubscribe = engine.onDidEmit((event: EngineEvent) => {
      if (values.json) {
        io.stdout.write(`${JSON.stringify(event)}\n`);
        return;
      }
      switch (event.type) {
        case 'run-started':
          runId = event.runId;
          break;
        case 'progress':
          printer.progress(event.node, event.done, event.total);
          break;
        case 'node-state':
          if (event.state === 'done') printer.line(`✔ ${event.node}${event.fromCache ? ' (cached)' : ''}`);
          if (event.state === 'failed') printer.line(`✘ ${event.node}: ${event.message ?? 'failed'}`);
          break;
        case 'shape':
          shapes.set(
            event.node,
            `${formatShape(event.shape)} ${event.colorMode} ${event.dtype} x${event.count}`,
          );
          break;
        case 'epoch':
          printer.line(
            `  ${event.node} epoch ${event.epoch} ${event.split}: ${formatMetrics(event.metrics)}`,
          );
          break;
        case 'evaluation':
          printer.line(
            `  ${event.node} test (${event.items} items${event.geometry === 'source' ? ', in source geometry' : event.geometry === 'network' ? ", on the network's grid" : ''}): ${formatMetrics(event.metrics)}`,
          );
          // The heading names the node; the volumes' rows follow it, indented.
          volumeFigureLines(event.volumes ?? [], event.classes, runId).forEach((line, i) =>
            printer.line(i === 0 ? `  ${event.node} ${line}` : `  ${line}`),
          );
          // Detection and transformation have no class confusion to show.
          if (event.confusion.length > 1)
            printer.line(
              `  ${event.node} test confusion (rows true, columns predicted; ${event.classes.join(', ')}): ` +
                JSON.stringify(event.confusion),
            );
          if (event.metrics.msle === null)
            printer.line(
              `  ${event.node} test msle: not defined, a target or output is at or below -1 (log1p)`,
            );
          break;
        case 'backend':
          printer.line(`  backend: ${event.name}`);
          break;
        case 'error':
          io.stderr.write(`${event.node ? `${event.node}: ` : ''}${event.message}\n`);
          break;
        case 'log':
          if (event.level !== 'debug')
            printer.line(`  ${event.node ? `${event.node}: ` : ''}${event.message}`);
          break;
      }
    });
    const interrupt = (): void => void engine.cancel({});
    process.once('SIGINT', interrupt);
    try {
      await engine.openProject({ path: resolve(io.cwd, path) });
      const result = await engine.run(request);
      if (!values.json) {
        printer.line(`Run ${result.status}: ${result.ran.length} ran, ${result.cached.length} from cache`);
        const snapshot = await engine.getProject();
        for (const node of snapshot?.graph.nodes ?? []) {
          const shape = shapes.get(node.id);
          if (shape) printer.line(`  ${node.id.padEnd(20)} ${shape}`);
        }
      }
      return result.status === 'done' ? EXIT.ok : EXIT.failed;
    } finally {
      process.off('SIGINT', interrupt);
      unsubscribe();
      engine.closeProject();
    }
  },
};
