/**
 * `phi predict <project> --node ID <input> <output>`: runs a trained network
 * node on a folder of images. The engine does the work (`predictFolder`,
 * service/predict-channel.ts: the node's chain of modules, then the network,
 * the outputs and what they mean); this command parses the line, opens the
 * project as the app does (its trusted custom modules registered) and prints
 * what became of the files. `--executor slurm` splits the folder into shards
 * run as one Slurm array job (cli/predict-on-slurm.ts).
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { INFERENCE_RUNTIMES, type InferenceRuntime } from '../../api';
import { describeUpgrade } from '../../store/node-upgrades';
import { ChainNotRunnableError } from '../../service/predict-channel';
import { EXIT, UsageError, type CliCommand } from '../command';
import { createCliEngine } from '../engine';
import { predictOnCluster } from '../predict-on-slurm';
import { SLURM_OPTIONS, SLURM_USAGE, parseSlurmOptions } from '../slurm-options';

/** See the module comment. */
export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'run a trained network node on a folder of images',
  usage: `phi predict <project.phiproj> --node ID [--runtime tfjs|onnx|auto] <input-folder> <output-folder>\n${SLURM_USAGE} [--shards K] [--max-parallel N]\n         (K shards as one Slurm array job, at most N running at once, docs/cluster.md)`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        node: { type: 'string' },
        runtime: { type: 'string', default: 'tfjs' },
        ...SLURM_OPTIONS,
        shards: { type: 'string' },
        'max-parallel': { type: 'string' },
      },
    });
    if (positionals.length !== 3 || !values.node)
      throw new UsageError('give a project, --node ID, an input and an output folder');
    const runtime = values.runtime as InferenceRuntime;
    if (!INFERENCE_RUNTIMES.includes(runtime))
      throw new UsageError(`unknown runtime "${values.runtime}": use ${INFERENCE_RUNTIMES.join(', ')}`);
    const [projectArg, inputArg, outputArg] = positionals.map((p) => resolve(io.cwd, p));
    const slurm = parseSlurmOptions(values, {
      clusterOnly: ['shards', 'max-parallel'],
      project: projectArg,
      input: inputArg,
    });
    if (slurm)
      return predictOnCluster(
        {
          project: projectArg,
          node: values.node,
          runtime,
          input: inputArg,
          output: outputArg,
          shards: values.shards,
        },
        slurm,
        io,
      );
    const engine = createCliEngine();
    try {
      const snapshot = await engine.openProject({ path: projectArg });
      for (const upgrade of snapshot.nodeUpgrades ?? [])
        io.stderr.write(`phi predict: ${describeUpgrade(upgrade)}\n`);
      const node = snapshot.graph.nodes.find((n) => n.id === values.node);
      if (!node || node.kind !== 'network') {
        io.stderr.write(`phi predict: "${values.node}" is not a network node of ${basename(projectArg)}\n`);
        return EXIT.failed;
      }
      // A custom module of the chain this computer does not run is the user's to fix: a usage error.
      const result = await engine
        .predictFolder({ node: node.id, input: inputArg, output: outputArg, runtime })
        .catch((error: unknown) => {
          throw error instanceof ChainNotRunnableError ? new UsageError(error.message) : error;
        });
      if (runtime === 'auto') io.stdout.write(`Runtime: ${result.runtime.used} (${result.runtime.reason})\n`);
      if (result.maskValuesProblem !== undefined)
        io.stderr.write(`phi predict: masks hold class indices: ${result.maskValuesProblem}\n`);
      for (const { id, reason } of result.failed) io.stderr.write(`phi predict: ${id}: ${reason}\n`);
      const failed = result.failed.length;
      io.stdout.write(
        `Predicted ${result.done} image(s) into ${result.output}${failed ? `; ${failed} failed` : ''}\n`,
      );
      for (const note of result.notes) io.stdout.write(`${note}\n`);
      return failed && !result.done ? EXIT.failed : EXIT.ok;
    } finally {
      engine.closeProject();
    }
  },
};
