/**
 * The engine's custom modules channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import type { ProjectSession } from './session';
import type { EngineParams, EngineResults } from '../api';
import { EngineRequests } from '../api';
import { describeNodeType } from '../graph/registry';
import {
  compileCustomModule,
  customModuleTemplate,
  deleteCustomModuleRecord,
  disposeNodeType,
  readCustomModules,
  saveCustomModuleRecord,
  sourceHashOf,
  versionToSave,
} from '../custom';

/** Custom modules: listing, templates, saving, deleting and trusting a project's code. */
export class CustomModuleChannel {
  constructor(private readonly session: ProjectSession) {}

  async listCustomModules(): Promise<EngineResults['listCustomModules']> {
    return readCustomModules(this.session.requireStore()).map(
      ({ sourceHash, version: _version, trusted: _flag, ...info }) => ({
        ...info,
        trusted: this.session.trustList.isTrusted(sourceHash),
      }),
    );
  }

  async customModuleTemplate(
    params: EngineParams<'customModuleTemplate'>,
  ): Promise<EngineResults['customModuleTemplate']> {
    return { source: customModuleTemplate(EngineRequests.customModuleTemplate.parse(params)) };
  }

  async saveCustomModule(
    params: EngineParams<'saveCustomModule'>,
  ): Promise<EngineResults['saveCustomModule']> {
    const info = EngineRequests.saveCustomModule.parse(params);
    const store = this.session.requireStore();
    const existing = this.session.registry.get(info.id);
    if (existing && existing.origin !== 'my')
      throw new Error(`"${info.id}" is a built-in module: choose another id`);
    const version = versionToSave(store, info);
    const result = await compileCustomModule(info, { version, onLog: this.session.customLog });
    if (!result.ok) return { ok: false, problems: result.problems };
    saveCustomModuleRecord(store, info);
    this.session.trustList.trust([result.nodeType.sourceHash ?? sourceHashOf(info.source)]);
    await disposeNodeType(existing);
    this.session.registry.upsert(result.nodeType);
    this.session.customTypes.add(info.id);
    this.session.untrusted.delete(info.id);
    this.session.broken.delete(info.id);
    return { ok: true, problems: [], descriptor: describeNodeType(result.nodeType) };
  }

  async deleteCustomModule(
    params: EngineParams<'deleteCustomModule'>,
  ): Promise<EngineResults['deleteCustomModule']> {
    const { id } = EngineRequests.deleteCustomModule.parse(params);
    const store = this.session.requireStore();
    const users = store
      .graph()
      .nodes.filter((n) => n.type === id)
      .map((n) => n.id);
    if (users.length > 0)
      throw new Error(`Custom module "${id}" is used by ${users.join(', ')}: remove those nodes first`);
    await disposeNodeType(this.session.registry.remove(id));
    this.session.customTypes.delete(id);
    this.session.untrusted.delete(id);
    this.session.broken.delete(id);
    deleteCustomModuleRecord(store, id);
    return this.session.snapshot();
  }

  async trustProject(params: EngineParams<'trustProject'>): Promise<EngineResults['trustProject']> {
    const { trusted } = EngineRequests.trustProject.parse(params);
    const store = this.session.requireStore();
    const modules = readCustomModules(store);
    if (trusted) {
      this.session.trustList.trust(modules.map((m) => m.sourceHash));
      for (const m of modules) store.setCustomModuleTrusted(m.id, true);
    } else {
      this.session.trustList.untrust(modules.map((m) => m.sourceHash));
      for (const m of modules) store.setCustomModuleTrusted(m.id, false);
    }
    await this.session.loadCustomModules(store);
    return this.session.snapshot();
  }
}
