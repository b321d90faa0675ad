/**
 * The engine's project channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import { nodeStates } from './node-states';
import type { ProjectSession } from './session';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { EngineInfo, EngineParams, EngineResults, GraphDelta, ProjectSnapshot } from '../api';
import { changedInputs, EngineRequests, graphChange } from '../api';
import { descendants } from '../graph/plan';
import { checkConnection } from '../graph/validate';
import { describeUpgrade } from '../store/node-upgrades';
import { confinement } from '../custom';
import { describeBackends } from '../nn';
import { ProjectStore } from '../store/project-store';
import { resolveEdits } from './edit-checks';
import { templateGraph } from './templates';
import { browseFolder, previewDataset } from './folder-browser';
import { APP_VERSION } from './version';
import { INFERENCE_RUNTIME_SETTING } from './inference-runtime';

/** Opening, creating and closing projects, their settings and graph edits, and what the engine offers (node types, backends). */
export class ProjectChannel {
  constructor(private readonly session: ProjectSession) {}

  async getInfo(): Promise<EngineInfo> {
    return {
      version: APP_VERSION,
      nodeTypes: this.session.registry.describe(),
      backends: await (this.session.options.describeBackends ?? describeBackends)(),
      confinement: confinement(),
    };
  }

  async createProject(params: EngineParams<'createProject'>): Promise<ProjectSnapshot> {
    const { path, dataset, task } = EngineRequests.createProject.parse(params);
    const projectPath = resolve(path);
    const datasetPath = resolve(dataset);
    if (!existsSync(datasetPath)) throw new Error(`Dataset folder not found: ${datasetPath}`);
    const relativeDataset = relative(dirname(projectPath), datasetPath) || '.';
    const graph = templateGraph(
      this.session.registry,
      isAbsolute(relativeDataset) ? datasetPath : relativeDataset,
      task,
      datasetPath,
    );
    const store = ProjectStore.create(projectPath, { graph });
    this.session.openStore(store);
    this.session.options.recentProjects?.add(store.path);
    await this.session.loadCustomModules(store);
    return this.session.snapshot();
  }

  async openProject(params: EngineParams<'openProject'>): Promise<ProjectSnapshot> {
    const { path } = EngineRequests.openProject.parse(params);
    const store = ProjectStore.open(resolve(path), (type) => this.session.registry.get(type));
    this.session.openStore(store);
    this.session.options.recentProjects?.add(store.path);
    await this.session.loadCustomModules(store);
    const upgrades = store.nodeUpgrades;
    for (const upgrade of upgrades)
      this.session.emit({
        type: 'log',
        level: 'info',
        node: upgrade.node,
        message: describeUpgrade(upgrade),
      });
    const snapshot = await this.session.snapshot();
    return upgrades.length > 0 ? { ...snapshot, nodeUpgrades: upgrades } : snapshot;
  }

  async browseFolder(params: EngineParams<'browseFolder'>): Promise<EngineResults['browseFolder']> {
    const { path } = EngineRequests.browseFolder.parse(params);
    return browseFolder(this.session.options.browseRoot ?? homedir(), path);
  }

  async previewDataset(params: EngineParams<'previewDataset'>): Promise<EngineResults['previewDataset']> {
    const { path, task } = EngineRequests.previewDataset.parse(params);
    return previewDataset(path, task);
  }

  async listRecentProjects(): Promise<EngineResults['listRecentProjects']> {
    return this.session.options.recentProjects?.list() ?? [];
  }

  async setProjectSettings(
    params: EngineParams<'setProjectSettings'>,
  ): Promise<EngineResults['setProjectSettings']> {
    const { sampleSize, inferenceRuntime } = EngineRequests.setProjectSettings.parse(params);
    const store = this.session.requireStore();
    if (sampleSize !== undefined) store.setSetting('sampleSize', sampleSize ?? undefined);
    if (inferenceRuntime !== undefined) store.setSetting(INFERENCE_RUNTIME_SETTING, inferenceRuntime);
    return this.session.settings();
  }

  async getProject(): Promise<ProjectSnapshot | null> {
    return this.session.store ? this.session.snapshot() : null;
  }

  /** Applies edits and answers what changed (results.ts, `GraphDelta`), not the whole project. */
  async editGraph(params: EngineParams<'editGraph'>): Promise<GraphDelta> {
    const { edits } = EngineRequests.editGraph.parse(params);
    const statusBefore = await nodeStates(this.session, this.session.graph());
    // Checked against the graph as it is now, with no await in between: concurrent edits
    // from other front ends are merged per field or refused, never overwritten unseen.
    const before = this.session.graph();
    const after = this.session.applyEdits(
      resolveEdits(before, this.session.registry, edits, (m) => this.session.explainMissing(m)),
    );
    const change = graphChange(before, after);
    const affected = new Set<string>();
    for (const id of changedInputs(before, change)) {
      affected.add(id);
      for (const below of descendants(after, id)) affected.add(below);
    }
    const statusAfter = await nodeStates(this.session, after);
    const status = Object.fromEntries(
      [...affected].filter((id) => statusAfter[id]).map((id) => [id, statusAfter[id]]),
    );
    const staleNodes = Object.entries(status)
      .filter(([id, now]) => now.state === 'stale' && statusBefore[id]?.state !== 'stale')
      .map(([id]) => id);
    this.session.emit({ type: 'graph-changed', staleNodes, change });
    return {
      ...change,
      status,
      issues: await this.session.issues(after),
      running: Boolean(this.session.current),
    };
  }

  async checkConnection(params: EngineParams<'checkConnection'>): Promise<{ ok: boolean; reason?: string }> {
    const { source, target, targetPort } = EngineRequests.checkConnection.parse(params);
    const graph = this.session.graph();
    const checked = checkConnection(
      graph,
      this.session.registry,
      source,
      target,
      targetPort,
      await this.session.datasetPorts(graph),
    );
    return checked.reason ? { ...checked, reason: this.session.explainMissing(checked.reason) } : checked;
  }
}
