/**
 * The engine's project channel: opening, creating and closing projects, their settings and graph edits, and what the engine offers (node types, backends).
 */
import { type ProjectSession } from './session';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { EngineInfo, EngineParams, EngineResults, ProjectSnapshot } from '../api';
import { EngineRequests } from '../api';
import { checkConnection } from '../graph/validate';
import { describeUpgrade } from '../store/node-upgrades';
import { confinement } from '../custom';
import { describeBackends } from '../nn';
import { ProjectStore } from '../store/project-store';
import { resolveEdits } from './edit-checks';
import { templateGraph } from './templates';
import { browseFolder, previewDataset } from './folder-browser';
import { APP_VERSION } from './version';

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
    this.session.closeProject();
    this.session.store = ProjectStore.create(projectPath, { graph });
    this.session.options.recentProjects?.add(this.session.store.path);
    await this.session.loadCustomModules(this.session.store);
    return this.session.snapshot();
  }

  async openProject(params: EngineParams<'openProject'>): Promise<ProjectSnapshot> {
    const { path } = EngineRequests.openProject.parse(params);
    const store = ProjectStore.open(resolve(path), (type) => this.session.registry.get(type));
    this.session.closeProject();
    this.session.store = store;
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
    const { sampleSize } = EngineRequests.setProjectSettings.parse(params);
    const store = this.session.requireStore();
    if (sampleSize !== undefined) store.setSetting('sampleSize', sampleSize ?? undefined);
    return this.session.settings();
  }

  async getProject(): Promise<ProjectSnapshot | null> {
    return this.session.store ? this.session.snapshot() : null;
  }

  async editGraph(params: EngineParams<'editGraph'>): Promise<ProjectSnapshot> {
    const { edits } = EngineRequests.editGraph.parse(params);
    const store = this.session.requireStore();
    const before = await this.session.statuses(store.graph());
    // Checked against the graph as it is now, with no await in between: concurrent edits
    // from other front ends are merged per field or refused, never overwritten unseen.
    store.applyEdits(
      resolveEdits(store.graph(), this.session.registry, edits, (m) => this.session.explainMissing(m)),
    );
    const snapshot = await this.session.snapshot();
    const staleNodes = Object.entries(snapshot.status)
      .filter(([id, status]) => status.state === 'stale' && before[id]?.state !== 'stale')
      .map(([id]) => id);
    this.session.emit({ type: 'graph-changed', staleNodes });
    return snapshot;
  }

  async checkConnection(params: EngineParams<'checkConnection'>): Promise<{ ok: boolean; reason?: string }> {
    const { source, target, targetPort } = EngineRequests.checkConnection.parse(params);
    const graph = this.session.requireStore().graph();
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
