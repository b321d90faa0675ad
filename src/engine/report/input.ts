/**
 * What the study report is made of, gathered from the open project through the engine
 * API (metrics, evaluations, dataset summaries) and the trained model's manifest. Nothing
 * that names a patient's file is kept: datasets are told by counts and fingerprint only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatasetSummary, EngineApi, EvaluationHistory, GraphNode, MetricsHistory } from '../api';
import { datasetNodeOf, moduleChain } from '../run/chain';
import type { NodeTypeRegistry } from '../graph/registry';
import { stableStringify } from '../run/keys';
import type { ModelManifest } from '../nn/train/setup';
import { APP_VERSION } from '../service/version';

/** One step of the preprocessing chain. */
export interface PreprocessingStep {
  node: string;
  title: string;
  params: Record<string, unknown>;
}

/** Everything the report says of one network node. */
export interface NetworkReport {
  node: string;
  title: string;
  /** The network's params as the node holds them. */
  params: Record<string, unknown>;
  /** As trained (model.json), when the node has a trained model. */
  trained?: { backend: string; seed: number; architecture: string; trainingKey: string };
  chain: PreprocessingStep[];
  /** What the dataset holds; `unreadable` when it cannot be read now (the rest of the report stands). */
  dataset?: { node: string; summary?: DatasetSummary; fingerprint?: string; unreadable?: true };
  metrics: MetricsHistory;
  evaluation: EvaluationHistory;
}

/** The input of {@link renderReport}. */
export interface ReportInput {
  project: { name: string; hash: string };
  generatedAt: string;
  software: Record<string, string>;
  networks: NetworkReport[];
}

function packageVersion(name: string): string {
  try {
    const path = createRequire(import.meta.url).resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

async function datasetPart(
  engine: EngineApi,
  data: GraphNode,
  fingerprint: (node: GraphNode) => Promise<string>,
): Promise<NonNullable<NetworkReport['dataset']>> {
  try {
    return {
      node: data.id,
      summary: await engine.getDatasetSummary({ node: data.id }),
      fingerprint: await fingerprint(data),
    };
  } catch {
    // Its message may name a file: the report says only that the folder could not be read.
    return { node: data.id, unreadable: true };
  }
}

/**
 * Gathers the report of `node` (every network node when absent). `artifactsPath` gives a
 * node's model folder, `fingerprint` a dataset node's source fingerprint.
 */
export async function reportInput(
  engine: EngineApi,
  registry: NodeTypeRegistry,
  artifactsPath: (node: string) => string,
  fingerprint: (node: GraphNode) => Promise<string>,
  node?: string,
): Promise<ReportInput> {
  const snapshot = await engine.getProject({});
  if (!snapshot) throw new Error('No project is open: open or create a .phiproj first');
  const { graph } = snapshot;
  const nodes = graph.nodes.filter((n) => n.kind === 'network' && (!node || n.id === node));
  if (node && !nodes.length) throw new Error(`"${node}" is not a network node of ${snapshot.name}`);
  if (!nodes.length) throw new Error(`${snapshot.name} has no network node to report on`);
  const titleOf = (n: GraphNode): string => n.label ?? registry.get(n.type)?.title ?? n.type;
  const networks: NetworkReport[] = [];
  for (const n of nodes) {
    const manifestPath = join(artifactsPath(n.id), 'model.json');
    const manifest = existsSync(manifestPath)
      ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest)
      : undefined;
    const data = datasetNodeOf(graph, n.id);
    networks.push({
      node: n.id,
      title: titleOf(n),
      params: n.params,
      ...(manifest
        ? {
            trained: {
              backend: manifest.backend,
              seed: manifest.params.seed,
              architecture: manifest.params.architecture,
              trainingKey: manifest.trainingKey,
            },
          }
        : {}),
      chain: moduleChain(graph, n.id).map((m) => ({ node: m.id, title: titleOf(m), params: m.params })),
      ...(data ? { dataset: await datasetPart(engine, data, fingerprint) } : {}),
      metrics: await engine.getMetrics({ node: n.id }),
      evaluation: await engine.getEvaluation({ node: n.id }),
    });
  }
  return {
    project: {
      name: snapshot.name,
      // What the results depend on: nodes, their types, versions and params, and edges; not the layout.
      hash: createHash('sha256')
        .update(
          stableStringify({
            nodes: graph.nodes.map((g) => ({ id: g.id, type: g.type, version: g.version, params: g.params })),
            edges: graph.edges.map((g) => ({ source: g.source, target: g.target, port: g.targetPort })),
          }),
        )
        .digest('hex'),
    },
    generatedAt: new Date().toISOString(),
    software: {
      'Phi Studio': APP_VERSION,
      'Node.js': process.versions.node,
      '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
      echarts: packageVersion('echarts'),
      platform: `${process.platform} ${process.arch}`,
    },
    networks,
  };
}
