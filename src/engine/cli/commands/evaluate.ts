/**
 * `phi evaluate <project> --node ID --dataset DIR [--json]`: external validation of a
 * trained classifier. The labelled folder is read with the layout rules of the node's
 * Dataset node (its params, another folder), every item of it (whatever its split) goes
 * through the node's chain of modules and the trained network as `phi predict` runs them,
 * and the study report (docs/metrics.md) is printed and stored in the project as an
 * evaluation run, with the operating point chosen on the training's validation split.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  countsText,
  figureRows,
  formatInterval,
  formatValue,
  operatingText,
  overallScope,
  type EvaluationRecord,
  type Graph,
  type ScoredSet,
} from '../../api';
import { openDataset } from '../../data/dataset-node';
import { datasetParamsSchema } from '../../data/params';
import { inputsOf } from '../../graph/plan';
import { DEFAULT_RESAMPLES } from '../../nn/metrics/bootstrap';
import { parseOperatingRule } from '../../nn/metrics/operating-point';
import { loadTrained, releaseTrained, runSample } from '../../nn/predict';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { recordExternalEvaluation } from '../../service/evaluations';
import { APP_VERSION } from '../../service/version';
import { describeUpgrade } from '../../store/node-upgrades';
import { ProjectStore } from '../../store/project-store';
import { EXIT, UsageError, type CliCommand } from '../command';
import type { ProjectModules } from '../project-modules';
import { applyChain } from '../../run/chain';
import { loadChain } from './predict';

/** The Dataset node the network's chain starts from. */
export function datasetNode(graph: Graph, node: string): Graph['nodes'][number] | undefined {
  const inputs = inputsOf(graph);
  let current = inputs.get(node)?.[0]?.source;
  while (current) {
    const found = graph.nodes.find((n) => n.id === current);
    if (found?.kind === 'dataset') return found;
    current = inputs.get(current)?.[0]?.source;
  }
  return undefined;
}

/** The report in text: where it comes from, counts, each figure with its interval. */
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
  ];
  return `${lines.join('\n')}\n`;
}

/** See the module comment. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'evaluate a trained classifier on another labelled folder (external validation)',
  usage:
    'phi evaluate <project.phiproj> --node ID --dataset DIR [--operating-point youden|sens=T|spec=T] [--bootstrap N] [--seed S] [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        node: { type: 'string' },
        dataset: { type: 'string' },
        'operating-point': { type: 'string', default: 'youden' },
        bootstrap: { type: 'string', default: String(DEFAULT_RESAMPLES) },
        seed: { type: 'string', default: '0' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1 || !values.node || !values.dataset)
      throw new UsageError('give a project, --node ID and --dataset DIR');
    const rule = parseOperatingRule(values['operating-point'] as string);
    const resamples = Number(values.bootstrap);
    const seed = Number(values.seed);
    if (!Number.isInteger(resamples) || resamples < 0) throw new UsageError('--bootstrap takes a count >= 0');
    if (!Number.isInteger(seed)) throw new UsageError('--seed takes an integer');
    const projectArg = resolve(io.cwd, positionals[0]);
    const datasetArg = resolve(io.cwd, values.dataset);
    const registry = createBuiltinRegistry();
    const store = ProjectStore.open(projectArg, (type) => registry.get(type));
    for (const upgrade of store.nodeUpgrades) io.stderr.write(`phi evaluate: ${describeUpgrade(upgrade)}\n`);
    let project: ProjectModules | undefined;
    try {
      const graph = store.graph();
      const node = graph.nodes.find((n) => n.id === values.node);
      if (node?.kind !== 'network')
        throw new UsageError(`"${values.node}" is not a network node of ${basename(projectArg)}`);
      const data = datasetNode(graph, node.id);
      if (!data) throw new Error(`no Dataset node feeds "${node.id}"`);
      const trained = await loadTrained(store.artifactsFor(node.id));
      const { classes, geometry } = trained.manifest;
      if (geometry.task !== 'classification')
        throw new UsageError(
          `"${node.id}" is a ${geometry.task} network: phi evaluate reports on classifiers`,
        );
      const source = await openDataset(
        datasetArg,
        datasetParamsSchema.parse({ ...data.params, path: datasetArg }),
      );
      const unknown = source.classes.filter((name) => !classes.includes(name));
      if (unknown.length)
        throw new Error(
          `${datasetArg} has classes the network was not trained on: ${unknown.join(', ')} (it knows ${classes.join(', ')})`,
        );
      const loaded = await loadChain(registry, graph, node.id, projectArg);
      project = loaded.project;
      const set: ScoredSet = { truth: [], probs: [] };
      let failed = 0;
      let dropped = 0;
      for (const item of source.items) {
        try {
          if (item.classIndex === undefined) throw new Error('no class label');
          const sample = await applyChain(loaded.chain, await source.load(item));
          if (!sample) {
            dropped++;
            continue;
          }
          set.probs.push(Array.from(runSample(trained, sample).out));
          set.truth.push(classes.indexOf(source.classes[item.classIndex]));
        } catch (e) {
          failed++;
          io.stderr.write(`phi evaluate: ${item.id}: ${(e as Error).message}\n`);
        }
      }
      if (!set.truth.length) throw new Error(`no item of ${datasetArg} could be evaluated`);
      const runId = store.startRun({
        mode: 'evaluate',
        seed,
        appVersion: APP_VERSION,
        nodeVersions: Object.fromEntries(graph.nodes.map((n) => [n.id, n.version])),
        backend: trained.manifest.backend,
        datasetHash: source.fingerprint,
      });
      try {
        const record = recordExternalEvaluation(store, runId, node.id, datasetArg, classes, set, {
          seed,
          rule,
          resamples,
        });
        store.finishRun(runId, 'done');
        io.stdout.write(values.json ? `${JSON.stringify(record)}\n` : formatEvaluation(record));
      } catch (error) {
        store.finishRun(runId, 'failed');
        throw error;
      }
      if (failed) io.stderr.write(`phi evaluate: ${failed} item(s) could not be evaluated\n`);
      if (dropped)
        io.stderr.write(`phi evaluate: ${dropped} item(s) dropped by a filter module of the chain\n`);
      return EXIT.ok;
    } finally {
      releaseTrained();
      await project?.dispose();
      store.close();
    }
  },
};
