/**
 * The engine's networks channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import type { ProjectSession } from './session';
import type { EngineParams, EngineResults, GraphNode } from '../api';
import { EngineRequests, idFromTitle } from '../api';
import { inputsOf } from '../graph/plan';
import { isAbsolute, resolve } from 'node:path';
import { loadTrained } from '../nn/predict';
import { networkDir } from '../run/executor';
import { exportNetworkNode, exportOptions } from './model-export';
import {
  builtinSpecIds,
  checkSpec,
  layerCatalogue,
  readBuiltinSpec,
  specTitle,
  withSpecTitle,
  type SpecData,
} from './network-builder';

/** The layer builder: the layer catalogue, spec checks, saved and built-in network specs. */
export class NetworkChannel {
  constructor(private readonly session: ProjectSession) {}

  async getLayerCatalogue(): Promise<EngineResults['getLayerCatalogue']> {
    return layerCatalogue();
  }

  async checkNetworkSpec(
    params: EngineParams<'checkNetworkSpec'>,
  ): Promise<EngineResults['checkNetworkSpec']> {
    const { spec, node } = EngineRequests.checkNetworkSpec.parse(params);
    return checkSpec(spec, await this.specData(node));
  }

  /**
   * What a network node's data tell a spec check: class names and one item's
   * shape of its input when that was run, else the class names of the dataset
   * upstream (read from its index); nothing without a project or node.
   */
  private async specData(node?: string): Promise<SpecData> {
    const graph = node && this.session.store ? this.session.graph() : undefined;
    const target = graph?.nodes.find((n) => n.id === node);
    if (!graph || !target) return {};
    const task = (target.params.task as SpecData['task']) ?? 'classification';
    const manifest = this.session.inputManifest(target.id);
    const item = manifest?.items.find((i) => i.state === 'done');
    if (manifest) return { task, classes: manifest.classes, ...(item ? { inputShape: item.shape } : {}) };
    const inputs = inputsOf(graph);
    let at: GraphNode | undefined = target;
    for (let hops = 0; at && at.kind !== 'dataset' && hops < graph.nodes.length; hops++) {
      const upstream: string | undefined = inputs.get(at.id)?.[0]?.source;
      at = graph.nodes.find((n) => n.id === upstream);
    }
    const source =
      at?.kind === 'dataset' ? await this.session.openDataset(at).catch(() => undefined) : undefined;
    return source ? { task, classes: source.classes } : { task };
  }

  async saveNetworkSpec(params: EngineParams<'saveNetworkSpec'>): Promise<EngineResults['saveNetworkSpec']> {
    const { title, id: given, spec, node } = EngineRequests.saveNetworkSpec.parse(params);
    const store = this.session.requireStore();
    const id = given ?? idFromTitle(title, 'network');
    if (builtinSpecIds().includes(id))
      throw new Error(`"${id}" is a built-in network: save under another name`);
    const check = await checkSpec(spec, await this.specData(node));
    if (!check.ok) return check;
    const version = (store.networkSpec(id)?.version ?? 0) + 1;
    store.saveNetworkSpec(id, version, withSpecTitle(spec, title));
    return { ...check, id, version };
  }

  async listNetworkSpecs(): Promise<EngineResults['listNetworkSpecs']> {
    const store = this.session.store;
    const saved =
      store
        ?.networkSpecs()
        .map(({ id }) => ({ id, title: specTitle(store.networkSpec(id)?.spec, id), builtin: false })) ?? [];
    return [
      ...builtinSpecIds().map((id) => ({ id, title: specTitle(readBuiltinSpec(id), id), builtin: true })),
      ...saved,
    ];
  }

  async getNetworkSpec(params: EngineParams<'getNetworkSpec'>): Promise<EngineResults['getNetworkSpec']> {
    const { id } = EngineRequests.getNetworkSpec.parse(params);
    const builtin = readBuiltinSpec(id);
    if (builtin !== undefined) return { id, title: specTitle(builtin, id), builtin: true, spec: builtin };
    const saved = this.session.store?.networkSpec(id);
    if (!saved) throw new Error(`No network "${id}": it is neither built-in nor saved in this project`);
    return { id, title: specTitle(saved.spec, id), builtin: false, version: saved.version, spec: saved.spec };
  }

  /** Which formats and options the node's trained network exports with ("Export model..."). */
  async getExportOptions(
    params: EngineParams<'getExportOptions'>,
  ): Promise<EngineResults['getExportOptions']> {
    const { node } = EngineRequests.getExportOptions.parse(params);
    const held = await this.heldModel(node);
    const store = this.session.requireStore();
    const options = await exportOptions(store, this.session.registry, node, held.trained);
    return { ...options, ...held.sample };
  }

  /** Writes the node's trained network (the model the View tab uses) and its manifest into a folder. */
  async exportModel(params: EngineParams<'exportModel'>): Promise<EngineResults['exportModel']> {
    const { node, folder, ...request } = EngineRequests.exportModel.parse(params);
    const store = this.session.requireStore();
    const held = await this.heldModel(node);
    const target = isAbsolute(folder) ? folder : resolve(store.dir, folder);
    const manifest = await exportNetworkNode(
      store,
      this.session.registry,
      node,
      held.trained,
      request,
      target,
    );
    return {
      format: manifest.format,
      folder: target,
      files: manifest.files,
      manifest: resolve(target, manifest.files.at(-1) ?? ''),
      preprocessingInGraph: manifest.preprocessingInGraph,
      inputShape: manifest.input.shape,
      ...held.sample,
    };
  }

  /** The trained model network node `node` holds, and the items it trained on when a Sample RUN's. */
  private async heldModel(node: string) {
    this.session.networkNode(node);
    const store = this.session.requireStore();
    const selection = this.session.heldSelection(node);
    const trained = await loadTrained(networkDir(store.artifactsPath(node), selection));
    const items = this.session.inputManifest(node)?.items.length;
    return { trained, sample: selection !== 'all' && items !== undefined ? { fromSample: items } : {} };
  }
}
