/**
 * The workbench's PACS actions (docs/pacs.md, "In the workbench"): server
 * profiles, the test connection, the study search and import of "Import from
 * PACS...", "Send to PACS" (pacs-send.ts) and Dataset nodes over a saved query
 * (pacs-dataset.ts). Pulling, pushing and de-identification are
 * `src/engine/pacs`'s; this file turns the dialogs' requests into those calls.
 */
import { isAbsolute, resolve } from 'node:path';
import type { EngineParams, EngineResults, RequestOptions } from '../api';
import { EngineRequests } from '../api';
import { testConnection } from '../pacs/echo';
import { networkDir } from '../run/executor';
import { PacsDatasets } from './pacs-dataset';
import { connectionOf, PacsProfileStore } from './pacs-profiles';
import { sendPrediction } from './pacs-send';
import { filterKeysOf, pullStudies, searchStudies } from './pacs-studies';
import type { ProjectChannel } from './project-channel';
import { KEY_SEPARATOR, type ProjectSession } from './session';

/** The PACS channel of the engine API. */
export class PacsChannel {
  private profileStore?: PacsProfileStore;
  private readonly datasets: PacsDatasets;

  constructor(
    private readonly session: ProjectSession,
    project: ProjectChannel,
  ) {
    this.datasets = new PacsDatasets(
      () => session.requireStore(),
      () => this.profiles,
      (node, params) => project.editGraph({ edits: [{ op: 'set-params', id: node, params }] }),
      (event) => session.emit(event),
    );
  }

  /** Made on first use, so that an engine that never speaks to a PACS writes no key file. */
  get profiles(): PacsProfileStore {
    this.profileStore ??= new PacsProfileStore();
    return this.profileStore;
  }

  async listPacsProfiles(): Promise<EngineResults['listPacsProfiles']> {
    return this.profiles.list();
  }

  async savePacsProfile(params: EngineParams<'savePacsProfile'>): Promise<EngineResults['savePacsProfile']> {
    const { profile, secret, previousName } = EngineRequests.savePacsProfile.parse(params);
    return this.profiles.save(profile, secret || undefined, previousName);
  }

  async deletePacsProfile(
    params: EngineParams<'deletePacsProfile'>,
  ): Promise<EngineResults['deletePacsProfile']> {
    return this.profiles.delete(EngineRequests.deletePacsProfile.parse(params).name);
  }

  async testPacsConnection(
    params: EngineParams<'testPacsConnection'>,
  ): Promise<EngineResults['testPacsConnection']> {
    const { profile, secret } = EngineRequests.testPacsConnection.parse(params);
    try {
      const stored =
        secret || profile.auth === 'none' || !this.profiles.secrets.has(profile.name)
          ? undefined
          : this.profiles.secrets.get(profile.name);
      const connection = connectionOf(profile, secret || stored);
      return { ok: true, message: await testConnection(connection.target, connection) };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  async searchPacs(params: EngineParams<'searchPacs'>): Promise<EngineResults['searchPacs']> {
    const { profile, filters } = EngineRequests.searchPacs.parse(params);
    const studies = await searchStudies(this.profiles.connection(profile), filters);
    const filtered = Object.keys(filterKeysOf(filters)).length > 0 || !!filters.description;
    return { profile, filtered, studies };
  }

  async importFromPacs(
    params: EngineParams<'importFromPacs'>,
    options: RequestOptions = {},
  ): Promise<EngineResults['importFromPacs']> {
    const request = EngineRequests.importFromPacs.parse(params);
    const base = this.session.store?.dir;
    if (!isAbsolute(request.folder) && !base)
      throw new Error('Give the destination as an absolute folder: no project is open to start from.');
    return pullStudies({
      connection: this.profiles.connection(request.profile),
      studies: request.studies,
      dir: resolve(base ?? '/', request.folder),
      keepIdentifiers: request.keepIdentifiers,
      mapping: request.mapping && {
        ...request.mapping,
        file: resolve(base ?? '/', request.mapping.file),
      },
      operation: 'import',
      emit: (event) => this.session.emit(event),
      signal: options.signal,
    });
  }

  async sendToPacs(params: EngineParams<'sendToPacs'>): Promise<EngineResults['sendToPacs']> {
    const { profile, node, sampleId } = EngineRequests.sendToPacs.parse(params);
    const connection = this.profiles.connection(profile);
    const store = this.session.requireStore();
    const selection = this.session.heldSelection(node);
    const key = store.nodeResults()[node]?.cacheKey.split(KEY_SEPARATOR)[0];
    if (!key) throw new Error(`"${node}" holds no trained model: run it, then send its prediction.`);
    return sendPrediction(store, this.session.registry, node, sampleId, profile, connection, {
      artifactsDir: networkDir(store.artifactsPath(node), selection),
      fromSample: selection !== 'all',
      key,
    });
  }

  async getPacsDatasetSource(
    params: EngineParams<'getPacsDatasetSource'>,
  ): Promise<EngineResults['getPacsDatasetSource']> {
    return this.datasets.get(params);
  }

  setPacsDatasetSource(
    params: EngineParams<'setPacsDatasetSource'>,
  ): Promise<EngineResults['setPacsDatasetSource']> {
    return this.datasets.set(params);
  }

  refreshPacsDataset(
    params: EngineParams<'refreshPacsDataset'>,
    options?: RequestOptions,
  ): Promise<EngineResults['refreshPacsDataset']> {
    return this.datasets.refresh(params, options);
  }
}
