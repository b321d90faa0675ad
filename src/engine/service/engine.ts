/**
 * The engine behind every front end: implements the `EngineApi` contract over
 * one open project (session.ts) with one service per channel (project, runs,
 * data, evaluation, tuning, custom modules, networks), each in its own file;
 * this class only routes each request to its channel. The CLI calls it in
 * process; `phi serve` and the Electron utility process put a transport in
 * front of it (see dispatch.ts and docs/architecture.md).
 */
import type { EngineApi, EngineEvent, EngineParams, EngineResults, RequestOptions } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';
import { ProjectChannel } from './project-channel';
import { RunChannel } from './run-channel';
import { DataChannel } from './data-channel';
import { EvaluationChannel } from './evaluation-channel';
import { TuningChannel } from './tuning-channel';
import { CustomModuleChannel } from './custom-module-channel';
import { NetworkChannel } from './network-channel';
import { PacsChannel } from './pacs';
import { ClusterChannel } from './cluster';
import { ProcessChannel } from './process-channel';
import { PredictChannel } from './predict-channel';
import { ProjectSession, type EngineOptions } from './session';
import { VolumeView } from './volume-view';

export type { EngineOptions };

/** The engine over one open project at a time. */
export class Engine implements EngineApi {
  private readonly session: ProjectSession;
  private readonly project: ProjectChannel;
  private readonly runs: RunChannel;
  private readonly data: DataChannel;
  private readonly evaluation: EvaluationChannel;
  private readonly tuning: TuningChannel;
  private readonly customModules: CustomModuleChannel;
  private readonly networks: NetworkChannel;
  private readonly pacs: PacsChannel;
  private readonly cluster: ClusterChannel;
  private readonly volumes: VolumeView;
  private readonly processing: ProcessChannel;
  private readonly prediction: PredictChannel;

  constructor(options: EngineOptions = {}) {
    this.session = new ProjectSession(options);
    this.project = new ProjectChannel(this.session);
    this.runs = new RunChannel(this.session);
    this.data = new DataChannel(this.session);
    this.evaluation = new EvaluationChannel(this.session, this);
    this.tuning = new TuningChannel(this.session, this.project);
    this.customModules = new CustomModuleChannel(this.session);
    this.networks = new NetworkChannel(this.session);
    this.pacs = new PacsChannel(this.session, this.project);
    this.cluster = new ClusterChannel(this.session);
    this.volumes = new VolumeView(this.session);
    this.processing = new ProcessChannel(this.session);
    this.prediction = new PredictChannel(this.session);
  }

  /** The node types this engine knows (built-ins and the open project's trusted custom modules). */
  get registry(): NodeTypeRegistry {
    return this.session.registry;
  }

  onDidEmit(listener: (event: EngineEvent) => void): () => void {
    return this.session.onDidEmit(listener);
  }

  /** Closes the open project (pending writes are already committed). */
  closeProject(): void {
    this.session.closeProject();
  }

  /** Writes the study report of `node` (every network node when absent) to `path` (`phi report`). */
  writeReport(path: string, node?: string, intendedUse = ''): Promise<void> {
    return this.evaluation.writeReport(path, node, intendedUse);
  }

  getInfo(): Promise<EngineResults['getInfo']> {
    return this.project.getInfo();
  }

  createProject(params: EngineParams<'createProject'>): Promise<EngineResults['createProject']> {
    return this.project.createProject(params);
  }

  openProject(params: EngineParams<'openProject'>): Promise<EngineResults['openProject']> {
    return this.project.openProject(params);
  }

  browseFolder(params: EngineParams<'browseFolder'>): Promise<EngineResults['browseFolder']> {
    return this.project.browseFolder(params);
  }

  previewDataset(params: EngineParams<'previewDataset'>): Promise<EngineResults['previewDataset']> {
    return this.project.previewDataset(params);
  }

  listRecentProjects(): Promise<EngineResults['listRecentProjects']> {
    return this.project.listRecentProjects();
  }

  processImages(
    params: EngineParams<'processImages'>,
    options?: RequestOptions,
  ): Promise<EngineResults['processImages']> {
    return this.processing.processImages(params, options);
  }

  predictFolder(
    params: EngineParams<'predictFolder'>,
    options?: RequestOptions,
  ): Promise<EngineResults['predictFolder']> {
    return this.prediction.predictFolder(params, options);
  }

  setProjectSettings(
    params: EngineParams<'setProjectSettings'>,
  ): Promise<EngineResults['setProjectSettings']> {
    return this.project.setProjectSettings(params);
  }

  getProject(): Promise<EngineResults['getProject']> {
    return this.project.getProject();
  }

  editGraph(params: EngineParams<'editGraph'>): Promise<EngineResults['editGraph']> {
    return this.project.editGraph(params);
  }

  checkConnection(params: EngineParams<'checkConnection'>): Promise<EngineResults['checkConnection']> {
    return this.project.checkConnection(params);
  }

  run(params: EngineParams<'run'>): Promise<EngineResults['run']> {
    return this.runs.run(params);
  }

  cancel(params: EngineParams<'cancel'>): Promise<EngineResults['cancel']> {
    return this.runs.cancel(params);
  }

  listFiles(params: EngineParams<'listFiles'>): Promise<EngineResults['listFiles']> {
    return this.data.listFiles(params);
  }

  getImage(params: EngineParams<'getImage'>): Promise<EngineResults['getImage']> {
    return this.data.getImage(params);
  }

  getProcessingResult(
    params: EngineParams<'getProcessingResult'>,
  ): Promise<EngineResults['getProcessingResult']> {
    return this.data.getProcessingResult(params);
  }

  getDatasetSummary(
    params: EngineParams<'getDatasetSummary'>,
    options?: RequestOptions,
  ): Promise<EngineResults['getDatasetSummary']> {
    return this.data.getDatasetSummary(params, options);
  }

  getMetrics(params: EngineParams<'getMetrics'>): Promise<EngineResults['getMetrics']> {
    return this.evaluation.getMetrics(params);
  }

  getEvaluation(params: EngineParams<'getEvaluation'>): Promise<EngineResults['getEvaluation']> {
    return this.evaluation.getEvaluation(params);
  }

  exportReport(params: EngineParams<'exportReport'>): Promise<EngineResults['exportReport']> {
    return this.evaluation.exportReport(params);
  }

  getPrediction(params: EngineParams<'getPrediction'>): Promise<EngineResults['getPrediction']> {
    return this.evaluation.getPrediction(params);
  }

  getVolumeSlice(params: EngineParams<'getVolumeSlice'>): Promise<EngineResults['getVolumeSlice']> {
    return this.volumes.slice(params);
  }

  evaluateDataset(
    params: EngineParams<'evaluateDataset'>,
    options?: RequestOptions,
  ): Promise<EngineResults['evaluateDataset']> {
    return this.evaluation.evaluateDataset(params, options);
  }

  startTuning(params: EngineParams<'startTuning'>): Promise<EngineResults['startTuning']> {
    return this.tuning.startTuning(params);
  }

  repeatTraining(params: EngineParams<'repeatTraining'>): Promise<EngineResults['repeatTraining']> {
    return this.tuning.repeatTraining(params);
  }

  getTuning(params: EngineParams<'getTuning'>): Promise<EngineResults['getTuning']> {
    return this.tuning.getTuning(params);
  }

  applyTrial(params: EngineParams<'applyTrial'>): Promise<EngineResults['applyTrial']> {
    return this.tuning.applyTrial(params);
  }

  listCustomModules(): Promise<EngineResults['listCustomModules']> {
    return this.customModules.listCustomModules();
  }

  customModuleTemplate(
    params: EngineParams<'customModuleTemplate'>,
  ): Promise<EngineResults['customModuleTemplate']> {
    return this.customModules.customModuleTemplate(params);
  }

  saveCustomModule(params: EngineParams<'saveCustomModule'>): Promise<EngineResults['saveCustomModule']> {
    return this.customModules.saveCustomModule(params);
  }

  deleteCustomModule(
    params: EngineParams<'deleteCustomModule'>,
  ): Promise<EngineResults['deleteCustomModule']> {
    return this.customModules.deleteCustomModule(params);
  }

  trustProject(params: EngineParams<'trustProject'>): Promise<EngineResults['trustProject']> {
    return this.customModules.trustProject(params);
  }

  getLayerCatalogue(): Promise<EngineResults['getLayerCatalogue']> {
    return this.networks.getLayerCatalogue();
  }

  getExportOptions(params: EngineParams<'getExportOptions'>): Promise<EngineResults['getExportOptions']> {
    return this.networks.getExportOptions(params);
  }

  exportModel(params: EngineParams<'exportModel'>): Promise<EngineResults['exportModel']> {
    return this.networks.exportModel(params);
  }

  checkNetworkSpec(params: EngineParams<'checkNetworkSpec'>): Promise<EngineResults['checkNetworkSpec']> {
    return this.networks.checkNetworkSpec(params);
  }

  saveNetworkSpec(params: EngineParams<'saveNetworkSpec'>): Promise<EngineResults['saveNetworkSpec']> {
    return this.networks.saveNetworkSpec(params);
  }

  listNetworkSpecs(): Promise<EngineResults['listNetworkSpecs']> {
    return this.networks.listNetworkSpecs();
  }

  getNetworkSpec(params: EngineParams<'getNetworkSpec'>): Promise<EngineResults['getNetworkSpec']> {
    return this.networks.getNetworkSpec(params);
  }

  listPacsProfiles(): Promise<EngineResults['listPacsProfiles']> {
    return this.pacs.listPacsProfiles();
  }

  savePacsProfile(params: EngineParams<'savePacsProfile'>): Promise<EngineResults['savePacsProfile']> {
    return this.pacs.savePacsProfile(params);
  }

  deletePacsProfile(params: EngineParams<'deletePacsProfile'>): Promise<EngineResults['deletePacsProfile']> {
    return this.pacs.deletePacsProfile(params);
  }

  testPacsConnection(
    params: EngineParams<'testPacsConnection'>,
  ): Promise<EngineResults['testPacsConnection']> {
    return this.pacs.testPacsConnection(params);
  }

  getClusterSettings(): Promise<EngineResults['getClusterSettings']> {
    return this.cluster.getClusterSettings();
  }

  saveClusterProfile(
    params: EngineParams<'saveClusterProfile'>,
  ): Promise<EngineResults['saveClusterProfile']> {
    return this.cluster.saveClusterProfile(params);
  }

  deleteClusterProfile(
    params: EngineParams<'deleteClusterProfile'>,
  ): Promise<EngineResults['deleteClusterProfile']> {
    return this.cluster.deleteClusterProfile(params);
  }

  setProjectExecutor(
    params: EngineParams<'setProjectExecutor'>,
  ): Promise<EngineResults['setProjectExecutor']> {
    return this.cluster.setProjectExecutor(params);
  }

  testCluster(params: EngineParams<'testCluster'>): Promise<EngineResults['testCluster']> {
    return this.cluster.testCluster(params);
  }

  searchPacs(params: EngineParams<'searchPacs'>): Promise<EngineResults['searchPacs']> {
    return this.pacs.searchPacs(params);
  }

  importFromPacs(
    params: EngineParams<'importFromPacs'>,
    options?: RequestOptions,
  ): Promise<EngineResults['importFromPacs']> {
    return this.pacs.importFromPacs(params, options);
  }

  sendToPacs(params: EngineParams<'sendToPacs'>): Promise<EngineResults['sendToPacs']> {
    return this.pacs.sendToPacs(params);
  }

  getPacsDatasetSource(
    params: EngineParams<'getPacsDatasetSource'>,
  ): Promise<EngineResults['getPacsDatasetSource']> {
    return this.pacs.getPacsDatasetSource(params);
  }

  setPacsDatasetSource(
    params: EngineParams<'setPacsDatasetSource'>,
  ): Promise<EngineResults['setPacsDatasetSource']> {
    return this.pacs.setPacsDatasetSource(params);
  }

  refreshPacsDataset(
    params: EngineParams<'refreshPacsDataset'>,
    options?: RequestOptions,
  ): Promise<EngineResults['refreshPacsDataset']> {
    return this.pacs.refreshPacsDataset(params, options);
  }
}
