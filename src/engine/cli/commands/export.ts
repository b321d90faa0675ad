/**
 * `phi export <project> --node ID --format onnx|tfjs <output>`: writes a
 * trained network node as an ONNX model (`model.onnx`) or in TF.js layers
 * format (`model.json` + weight shards), with `manifest.json`: input shape
 * and dtype, the preprocessing chain from the project graph, class names,
 * training metrics, task and the keys of the training (docs/export.md).
 * `--with-preprocessing` (ONNX) builds the chain into the graph, which then
 * takes the raw image at the size of the dataset's first training image, or
 * at any size with `--any-size` (ONNX's Resize operator, docs/export.md).
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, type ExportFormat } from '../../api';
import { loadTrained, releaseTrained } from '../../nn/predict';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { exportNetworkNode } from '../../service/model-export';
import { ProjectStore } from '../../store/project-store';
import { EXIT, UsageError, type CliCommand } from '../command';

/** See the module comment. */
export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write a trained network node as ONNX or TF.js, with a manifest',
  usage:
    'phi export <project.phiproj> --node ID --format onnx|tfjs [--with-preprocessing [--any-size]] <output-folder>',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        node: { type: 'string' },
        format: { type: 'string' },
        'with-preprocessing': { type: 'boolean', default: false },
        'any-size': { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 2 || !values.node || !values.format)
      throw new UsageError('give a project, --node ID, --format onnx|tfjs and an output folder');
    const format = values.format as ExportFormat;
    if (!EXPORT_FORMATS.includes(format))
      throw new UsageError(`unknown format "${values.format}": use ${EXPORT_FORMATS.join(' or ')}`);
    const inGraph = values['with-preprocessing'] as boolean;
    if (inGraph && format !== 'onnx')
      throw new UsageError('--with-preprocessing builds the chain into an ONNX graph: use --format onnx');
    const anySize = values['any-size'] as boolean;
    if (anySize && !inGraph) throw new UsageError('--any-size goes with --with-preprocessing');
    const [projectArg, outputArg] = positionals.map((p) => resolve(io.cwd, p));
    const store = ProjectStore.open(projectArg);
    try {
      const graph = store.graph();
      const node = graph.nodes.find((n) => n.id === values.node);
      if (!node || node.kind !== 'network') {
        io.stderr.write(`phi export: "${values.node}" is not a network node of ${basename(projectArg)}\n`);
        return EXIT.failed;
      }
      const trained = await loadTrained(store.artifactsPath(node.id));
      const manifest = await exportNetworkNode(
        store,
        createBuiltinRegistry(),
        node.id,
        trained,
        { format, withPreprocessing: inGraph, anySize },
        outputArg,
      );
      io.stdout.write(
        `Exported network "${node.id}" (${format}) to ${outputArg}: ${manifest.files.join(', ')}\n`,
      );
      if (manifest.preprocessingInGraph) {
        const size = manifest.input.shape.slice(1).map((d) => d ?? 'any');
        io.stdout.write(
          `The graph applies the chain and the input scaling: its input is the raw image, float32 [batch, ${size.join(', ')}] (NHWC)\n`,
        );
      }
      return EXIT.ok;
    } finally {
      releaseTrained();
      store.close();
    }
  },
};
