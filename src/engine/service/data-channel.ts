/**
 * The engine's data channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import type { ProjectSession } from './session';
import type { EngineParams, EngineResults, FilePage } from '../api';
import { EngineRequests, type RequestOptions } from '../api';
import { inputsOf } from '../graph/plan';
import { renderPresented } from '../imaging/presentation';
import { processingResult } from '../imaging/processing-result';
import { type ManifestItem } from '../run/cache';
import { summarizeDataset } from '../data/summary';

/** What a node holds: the Files tab's pages, images, before/after results and dataset summaries. */
export class DataChannel {
  constructor(private readonly session: ProjectSession) {}

  async listFiles(params: EngineParams<'listFiles'>): Promise<FilePage> {
    const { node, offset, limit, sortBy, descending, filter } = EngineRequests.listFiles.parse(params);
    const manifest = this.session.manifestOf(node);
    let items: ManifestItem[] = [...(manifest?.items ?? []), ...(await this.skippedRows(node))];
    if (filter) {
      const needle = filter.toLowerCase();
      items = items.filter((i) =>
        [i.id, i.label ?? '', i.split ?? '', i.state].some((text) => text.toLowerCase().includes(needle)),
      );
    }
    if (sortBy) {
      const key = sortBy as keyof ManifestItem;
      const text = (item: ManifestItem): string => {
        const value = item[key];
        return Array.isArray(value)
          ? value.map((v) => String(v).padStart(8, '0')).join('x')
          : String(value ?? '');
      };
      items = [...items].sort((a, b) => text(a).localeCompare(text(b), undefined, { numeric: true }));
      if (descending) items.reverse();
    }
    return {
      total: items.length,
      items: items.slice(offset, offset + limit).map(({ classIndex: _c, ...row }) => row),
    };
  }

  /** A dataset node's skipped files and label rows, as Files tab rows that say why. */
  private async skippedRows(node: string): Promise<ManifestItem[]> {
    const graphNode = this.session
      .requireStore()
      .graph()
      .nodes.find((n) => n.id === node);
    if (graphNode?.kind !== 'dataset') return [];
    const source = await this.session.openDataset(graphNode).catch(() => undefined);
    return (source?.skipped ?? []).map((s) => ({
      id: s.file,
      shape: [],
      dtype: '',
      colorMode: 'grayscale',
      state: 'skipped',
      error: s.reason,
    }));
  }

  async getImage(params: EngineParams<'getImage'>): Promise<EngineResults['getImage']> {
    const { node, sampleId, size, window, slice } = EngineRequests.getImage.parse(params);
    const sample = await this.session.outputSample(this.session.imageNode(node), sampleId);
    return renderPresented(sample, { size, window, slice });
  }

  async getProcessingResult(
    params: EngineParams<'getProcessingResult'>,
  ): Promise<EngineResults['getProcessingResult']> {
    const { node, sampleId, size } = EngineRequests.getProcessingResult.parse(params);
    const graph = this.session.graph();
    const source = inputsOf(graph).get(node)?.[0]?.source;
    const after = await this.session.outputSample(node, sampleId);
    const before = source ? await this.session.outputSample(source, sampleId) : after;
    return processingResult(before, after, size);
  }

  async getDatasetSummary(
    params: EngineParams<'getDatasetSummary'>,
    options: RequestOptions = {},
  ): Promise<EngineResults['getDatasetSummary']> {
    const { node } = EngineRequests.getDatasetSummary.parse(params);
    const graphNode = this.session
      .requireStore()
      .graph()
      .nodes.find((n) => n.id === node);
    if (graphNode?.kind !== 'dataset') throw new Error(`Node "${node}" is not a dataset`);
    return summarizeDataset(await this.session.openDataset(graphNode), { signal: options.signal });
  }
}
