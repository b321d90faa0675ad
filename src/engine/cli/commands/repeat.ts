/**
 * `phi repeat`: repeatability of a trained network. Runs the project (the
 * node's own training, from cache when nothing changed), then trains the node
 * again with N seeds apart from its model, and prints each test metric of the
 * node's own run beside its mean, standard deviation and range across the
 * seeds (docs/metrics.md, "Repeatability"); `--json` prints the engine's result.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineEvent, RepeatResult } from '../../api';
import { EXIT, UsageError, type CliCommand } from '../command';
import { createCliEngine } from '../engine';

const num = (v: number | null | undefined): string => (typeof v === 'number' ? v.toFixed(4) : '—');

/** The table: one row per scalar test metric, the single run beside the seeds. */
export function repeatTable(result: RepeatResult, single: Record<string, unknown> | undefined): string[] {
  const done = result.seeds.filter((s) => s.status === 'done');
  const lines = [
    `${result.node}: ${done.length} of ${result.seeds.length} seeds trained (${result.seeds.map((s) => s.seed).join(', ')})` +
      (done[0]?.items !== undefined ? `; test split of ${done[0].items} items` : ''),
  ];
  for (const s of result.seeds.filter((x) => x.status !== 'done'))
    lines.push(`  seed ${s.seed}: ${s.status}${s.message ? `: ${s.message}` : ''}`);
  const rows = Object.entries(result.acrossSeeds).map(([name, a]) => [
    name,
    num(single?.[name] as number | undefined),
    `${num(a.mean)} ± ${num(a.sd)}`,
    `${num(a.min)}–${num(a.max)}`,
    String(a.n),
  ]);
  const header = ['test metric', 'this run', 'mean ± SD', 'range', 'seeds'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [...lines, line(header), ...rows.map(line)];
}

/** See the module comment. */
export const repeatCommand: CliCommand = {
  name: 'repeat',
  summary: 'train a network node with N seeds: each test metric as mean, SD and range',
  usage: 'phi repeat <project.phiproj> --node ID [--seeds N (2-20, default 5)] [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        node: { type: 'string' },
        seeds: { type: 'string', default: '5' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1 || !values.node) throw new UsageError('give a project and --node ID');
    const seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 2 || seeds > 20)
      throw new UsageError('--seeds must be a whole number, 2-20');
    const engine = createCliEngine();
    const unsubscribe = engine.onDidEmit((event: EngineEvent) => {
      if (values.json) return;
      if (event.type === 'log' && event.node === values.node && /^Repeat \d+ of \d+/.test(event.message))
        io.stdout.write(`${event.message}\n`);
      else if (event.type === 'error') io.stderr.write(`${event.message}\n`);
    });
    const interrupt = (): void => void engine.cancel({});
    process.once('SIGINT', interrupt);
    try {
      await engine.openProject({ path: resolve(io.cwd, positionals[0]) });
      const run = await engine.run({ mode: 'all' });
      if (run.status !== 'done') {
        io.stderr.write(`phi repeat: the project's run ${run.status}: ${run.errors[0]?.message ?? ''}\n`);
        return EXIT.failed;
      }
      const single = (await engine.getMetrics({ node: values.node })).test?.metrics;
      const result = await engine.repeatTraining({ node: values.node, seeds });
      io.stdout.write(
        values.json ? `${JSON.stringify(result)}\n` : `${repeatTable(result, single).join('\n')}\n`,
      );
      return result.seeds.every((s) => s.status === 'done') ? EXIT.ok : EXIT.failed;
    } catch (error) {
      io.stderr.write(`phi repeat: ${(error as Error).message}\n`);
      return EXIT.failed;
    } finally {
      process.off('SIGINT', interrupt);
      unsubscribe();
      engine.closeProject();
    }
  },
};
