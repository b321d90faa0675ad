/**
 * `phi tune`: genetic hyper-parameter search on a network node. Prints one
 * line per finished trial and, at the end, the five best parameter sets for
 * the optimised metric; `--apply-best` writes the winner into the node;
 * `--json` prints every engine event as one JSON object per line instead.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import type { EngineEvent, SearchDimension, Trial, TuningState } from '../../api';
import { TuningRequestSchema } from '../../api';
import { slurmExecutor, type SlurmExecutorOptions } from '../../cluster/slurm-executor';
import { lowerIsBetter } from '../../tuning/fitness';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';
import { createCliEngine } from '../engine';
import { CLUSTER_USAGE, SLURM_OPTIONS, integerOption, parseSlurmOptions } from '../slurm-options';

const USAGE = [
  'phi tune <project.phiproj> --node ID --search PARAM[=SPEC] [--search ...] [--metric split.metric]',
  '         [--goal max|min] [--population N] [--generations N] [--seed N] [--apply-best] [--json]',
  '  --search optimizer                  every choice of an enum or boolean parameter',
  '  --search batchSize=8,16,32          listed values',
  '  --search learningRate=1e-4..1e-2:log  a range; add :log for a log scale, :int for whole numbers',
  "  parameters not searched keep the node's values (e.g. epochs)",
  CLUSTER_USAGE,
  '  --executor slurm [--partition P] [--max-parallel K] [--gres gpu:1] [--time 02:00:00]',
  '         [--poll-seconds N] [--grace-seconds N] [--max-requeues N] [--resume RUN]',
  '                                      each generation as one Slurm array job (docs/cluster.md);',
  '                                      --resume re-attaches to the jobs of a stopped search',
].join('\n');

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** A listed value as typed: numbers and booleans become numbers and booleans, the rest stays text. */
function coerce(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return NUMBER.test(text) ? Number(text) : text;
}

/** Parses one `--search` value: `name`, `name=a,b,c` or `name=lo..hi[:log][:int]`. */
export function parseSearch(text: string): SearchDimension {
  const eq = text.indexOf('=');
  const param = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (!/^[A-Za-z_][\w-]*$/.test(param))
    throw new UsageError(`--search "${text}": "${param}" is not a parameter name`);
  if (eq < 0) return { param };
  const spec = text.slice(eq + 1).trim();
  if (spec.includes('..')) {
    const [range, ...flags] = spec.split(':');
    const [lo, hi, ...rest] = range.split('..');
    if (rest.length > 0 || !NUMBER.test(lo.trim()) || !NUMBER.test(hi.trim())) {
      throw new UsageError(
        `--search "${text}": a range is written min..max, e.g. learningRate=1e-4..1e-2:log`,
      );
    }
    const dim: SearchDimension = { param, min: Number(lo), max: Number(hi) };
    for (const flag of flags) {
      if (flag === 'log') dim.log = true;
      else if (flag === 'int') dim.integer = true;
      else throw new UsageError(`--search "${text}": unknown range option ":${flag}" (use :log or :int)`);
    }
    return dim;
  }
  const values = spec.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`--search "${text}": a listed value is empty`);
  return { param, values: values.map(coerce) };
}

/** What `phi tune` was asked to do. */
export interface TuneArgs {
  project: string;
  request: z.input<typeof TuningRequestSchema>;
  applyBest: boolean;
  json: boolean;
  /** Set for `--executor slurm`: how the trials run on the cluster. */
  slurm?: SlurmExecutorOptions;
}

/**
 * Parses the command line of `phi tune` (without the command name), the
 * project relative to `cwd`; throws a UsageError on bad usage.
 */
export function parseTuneArgs(args: string[], cwd = process.cwd()): TuneArgs {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      node: { type: 'string' },
      search: { type: 'string', multiple: true },
      metric: { type: 'string' },
      goal: { type: 'string' },
      population: { type: 'string' },
      generations: { type: 'string' },
      seed: { type: 'string' },
      'apply-best': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...SLURM_OPTIONS,
      'max-parallel': { type: 'string' },
      resume: { type: 'string' },
    },
  });
  const [project] = positionals;
  if (!project || positionals.length > 1) throw new UsageError('give exactly one project file');
  if (!values.node) throw new UsageError('--node ID names the network node to tune');
  if (!values.search?.length) throw new UsageError('give at least one --search PARAM[=SPEC]');
  if (values.goal !== undefined && values.goal !== 'max' && values.goal !== 'min') {
    throw new UsageError(`--goal must be max or min, not "${values.goal}"`);
  }
  const request: z.input<typeof TuningRequestSchema> = {
    node: values.node,
    search: values.search.map(parseSearch),
    ...(values.metric === undefined ? {} : { metric: values.metric }),
    // Without --goal, a loss-like metric is minimised and anything else maximised.
    goal:
      (values.goal as 'max' | 'min' | undefined) ??
      (values.metric !== undefined && lowerIsBetter(values.metric) ? 'min' : 'max'),
  };
  const numbers = {
    population: integerOption('population', values.population),
    generations: integerOption('generations', values.generations),
    seed: integerOption('seed', values.seed),
  };
  for (const [key, value] of Object.entries(numbers))
    if (value !== undefined) Object.assign(request, { [key]: value });
  const checked = TuningRequestSchema.safeParse(request);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UsageError(`--${String(issue?.path[0] ?? 'search')}: ${issue?.message ?? 'invalid'}`);
  }
  const slurm = slurmOptions(values, resolve(cwd, project));
  return {
    project,
    request,
    applyBest: values['apply-best'],
    json: values.json,
    ...(slurm ? { slurm } : {}),
  };
}

/** The cluster options of `phi tune`, or undefined for the local executor (which takes none). */
function slurmOptions(
  values: Record<string, string | boolean | string[] | undefined>,
  project: string,
): SlurmExecutorOptions | undefined {
  const chosen = parseSlurmOptions(values, { clusterOnly: ['max-parallel', 'resume'], project });
  if (!chosen) return undefined;
  const resume = values.resume as string | undefined;
  return { ...chosen, ...(resume === undefined ? {} : { resume }) };
}

const num = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '—'
    : Math.abs(value) >= 100
      ? value.toFixed(1)
      : value.toPrecision(4);

const show = (value: unknown): string =>
  typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? '—');

function paramText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : show(v)}`)
    .join(' ');
}

/** One line for a finished trial: its number, generation, score or failure, and searched params. */
export function formatTrialLine(trial: Trial, index: number, metric: string): string {
  const head = `  trial ${String(index).padStart(3)}  gen ${trial.generation}  `;
  const result =
    trial.status === 'done'
      ? `${metric}=${num(trial.score)}`
      : `${trial.status}${trial.message ? `: ${trial.message}` : ''}`;
  return `${head}${result}  ${paramText(trial.params)}`;
}

/** The top-5 table of one metric: rank, trial number and id, value, then one column per searched param. */
export function formatTopTable(state: TuningState, metric: string): string {
  const ids = state.top[metric] ?? [];
  if (ids.length === 0) return `No finished trial has ${metric}.`;
  const position = new Map(state.trials.map((t, i) => [t.id, i + 1]));
  const trials = ids
    .map((id) => state.trials.find((t) => t.id === id))
    .filter((t): t is Trial => t !== undefined);
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const header = ['#', 'trial', 'id', metric, ...params];
  const rows = trials.map((t, rank) => [
    String(rank + 1),
    String(position.get(t.id)),
    t.id,
    num(t.metrics[metric]),
    ...params.map((p) => (typeof t.params[p] === 'string' ? (t.params[p] as string) : show(t.params[p]))),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    `  ${cells.map((cell, c) => cell.padEnd(widths[c])).join('  ')}`.trimEnd();
  const direction = state.goal === undefined ? '' : ` (${state.goal === 'min' ? 'lowest' : 'highest'} first)`;
  return [`Top ${trials.length} by ${metric}${direction}:`, line(header), ...rows.map(line)].join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** See the module comment. */
export const tuneCommand: CliCommand = {
  name: 'tune',
  summary: 'search network parameters with a genetic algorithm, print the top 5',
  usage: USAGE,
  async run(args, io: CliIO) {
    const { project, request, applyBest, json, slurm } = parseTuneArgs(args, io.cwd);
    const metric = request.metric ?? 'validation.accuracy';
    const engine = createCliEngine(slurm ? { tuningExecutor: slurmExecutor(slurm) } : {});
    // A trial on a cluster is reported queued, running, then done: one number per trial.
    const numbers = new Map<string, number>();
    let backend: string | undefined;
    const unsubscribe = engine.onDidEmit((event: EngineEvent) => {
      if (json) {
        io.stdout.write(`${JSON.stringify(event)}\n`);
        return;
      }
      if (event.type === 'trial' && event.node === request.node) {
        const number = numbers.get(event.trial.id) ?? numbers.size + 1;
        numbers.set(event.trial.id, number);
        io.stdout.write(`${formatTrialLine(event.trial, number, metric)}\n`);
      } else if (event.type === 'error') {
        io.stderr.write(`${event.node ? `${event.node}: ` : ''}${event.message}\n`);
      } else if (event.type === 'backend' && backend !== event.name) {
        // Every trial's training announces its backend: print it once, and again only if it changes.
        backend = event.name;
        io.stdout.write(`  backend: ${event.name}\n`);
      }
    });
    const interrupt = (): void => void engine.cancel({});
    process.once('SIGINT', interrupt);
    try {
      await engine.openProject({ path: resolve(io.cwd, project) });
      if (!json) {
        io.stdout.write(
          `Tuning ${request.node}: ${request.search.map((s) => s.param).join(', ')}; ` +
            `${request.population ?? 6} x ${request.generations ?? 3} generations, ` +
            `${request.goal === 'min' ? 'minimising' : 'maximising'} ${metric}\n`,
        );
      }
      let state = await engine.startTuning(request);
      // A front end may get the state while the search still runs: wait for its end.
      while (state.running) {
        await sleep(500);
        state = await engine.getTuning({ node: request.node });
      }
      const best = state.top[metric]?.[0];
      if (!json) {
        const failed = state.trials.filter((t) => t.status === 'failed').length;
        // The engine's tally says where every slot asked went (trained, kept, not tried, not run).
        const counts = state.summary ?? `${state.trials.length} trials, ${failed} failed`;
        io.stdout.write(`${counts}\n${formatTopTable(state, metric)}\n`);
      }
      if (applyBest && best !== undefined) {
        await engine.applyTrial({ node: request.node, trialId: best });
        if (!json) io.stdout.write(`Applied trial ${best} to ${request.node}\n`);
      }
      return best === undefined ? EXIT.failed : EXIT.ok;
    } finally {
      process.off('SIGINT', interrupt);
      unsubscribe();
      engine.closeProject();
    }
  },
};
