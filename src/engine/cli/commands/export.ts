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
import { dtypeOf, type EpochMetrics, type Graph } from '../../api';
import type { NodeTypeRegistry } from '../../graph/registry';
import type { RawImage } from '../../nn/export/preprocessing';
import { EXPORT_FORMATS, exportTrained, type ExportFormat } from '../../nn/export/export';
import { loadTrained, releaseTrained } from '../../nn/predict';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { APP_VERSION } from '../../service/version';
import { ProjectStore } from '../../store/project-store';
import { EXIT, UsageError, type CliCommand } from '../command';
import { datasetNodeOf, moduleChain } from '../../run/chain';

/** What the reader gives for the first training image of the dataset that feeds `node`; `anySize` leaves the size free. */
async function datasetImage(
  graph: Graph,
  node: string,
  registry: NodeTypeRegistry,
  projectDir: string,
  anySize: boolean,
): Promise<RawImage> {
  const dataset = datasetNodeOf(graph, node);
  const type = dataset && registry.get(dataset.type);
  if (!dataset || type?.kind !== 'dataset') throw new Error(`no dataset node feeds "${node}"`);
  const source = await type.open(type.params.parse(dataset.params), {
    projectDir,
    log: { info: () => undefined, warn: () => undefined },
  });
  const item = source.items.find((i) => i.split === 'train') ?? source.items[0];
  if (!item) throw new Error(`the dataset of "${dataset.id}" holds no images`);
  const { image } = await source.load(item);
  const [height, width, channels] = image.shape;
  return anySize
    ? { height: null, width: null, channels, dtype: dtypeOf(image.data) }
    : { height, width, channels, dtype: dtypeOf(image.data) };
}

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
      const registry = createBuiltinRegistry();
      const preprocessing = moduleChain(graph, node.id).map((n) => {
        const parsed = registry.get(n.type)?.params.safeParse(n.params);
        return {
          node: n.id,
          module: n.type,
          version: n.version,
          params: (parsed?.success ? parsed.data : n.params) as Record<string, unknown>,
        };
      });
      // The last epoch of each split (the test split is evaluated once, as epoch 0).
      const metrics: Record<string, EpochMetrics & { epoch?: number }> = {};
      for (const record of store.epochs(node.id))
        metrics[record.split] = { ...record.metrics, ...(record.epoch > 0 ? { epoch: record.epoch } : {}) };
      const trained = await loadTrained(store.artifactsPath(node.id));
      const manifest = await exportTrained(trained, format, outputArg, {
        project: basename(projectArg),
        node: node.id,
        cacheKey: store.nodeResults()[node.id]?.cacheKey,
        preprocessing,
        metrics,
        producerVersion: APP_VERSION,
        ...(inGraph ? { rawImage: await datasetImage(graph, node.id, registry, store.dir, anySize) } : {}),
      });
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
