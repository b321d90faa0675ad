/**
 * A Dataset node whose source is a saved PACS query (profile + filters): its
 * local copy is a cache under the project's data folder
 * (`<name>.phidata/pacs/<node>/`, the node's `path`) that "Refresh from PACS"
 * updates. Labels come from a CSV keyed by accession number, study UID or
 * patient ID: the keys are matched against what the PACS lists before
 * de-identification and kept only as HMAC-SHA256 digests under the secret
 * that de-identifies the pulled files (`<name>.phidata/.phi-pull-secret`),
 * so the project holds no identifier. Each refresh writes `labels.csv`
 * (de-identified file path, class) beside the files.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EngineEvent,
  EngineParams,
  PacsDatasetSource,
  PacsFilters,
  PacsLabels,
  RequestOptions,
} from '../api';
import { EngineRequests } from '../api';
import { csvRow, parseCsv } from '../data/csv';
import { Pseudonymizer } from '../pacs/deidentify';
import { RECORD, secretFrom } from '../pacs/pull';
import type { ProjectStore } from '../store/project-store';
import { pullStudies, searchStudies } from './pacs-studies';
import type { PacsProfileStore } from './pacs-profiles';

/** What the project keeps of a query dataset (a project setting). */
interface SavedQuery {
  profile: string;
  filters: PacsFilters;
  labels?: { keyKind: PacsLabels['keyKind']; classes: string[]; digests: Record<string, string> };
  refreshed?: PacsDatasetSource['refreshed'];
}

const settingOf = (node: string): string => `pacs-query:${node}`;
const LABELS_FILE = 'labels.csv';

/** The cache folder of a node, as the project stores paths. */
function cacheFolder(store: ProjectStore, node: string): string {
  return store.toProjectPath(join(store.artifactsDir, 'pacs', node));
}

/** The de-identification secret of the project's pulls, made on first use. */
function secretFileOf(store: ProjectStore): string {
  return join(store.artifactsDir, '.phi-pull-secret');
}

/** The digest a label key is kept under. */
function keyDigest(secret: Buffer, kind: PacsLabels['keyKind'], value: string): string {
  return createHmac('sha256', secret).update(`label-${kind}\0${value.trim()}`).digest('hex');
}

/** Reads the label CSV; throws a sentence naming the file and the columns it has. */
function readLabels(file: string, labels: PacsLabels, secret: Buffer): NonNullable<SavedQuery['labels']> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the label file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const [header, ...rows] = parseCsv(text);
  const column = (name: string): number => {
    const at = header?.indexOf(name) ?? -1;
    if (at < 0)
      throw new Error(
        `${file} has no column "${name}": its columns are ${(header ?? []).map((h) => `"${h}"`).join(', ')}.`,
      );
    return at;
  };
  const [keyAt, labelAt] = [column(labels.keyColumn), column(labels.labelColumn)];
  const digests: Record<string, string> = {};
  for (const row of rows) {
    const [key, label] = [row[keyAt] ?? '', row[labelAt] ?? ''];
    if (!key || !label) continue;
    const digest = keyDigest(secret, labels.keyKind, key);
    if (digests[digest] !== undefined && digests[digest] !== label)
      throw new Error(
        `${file} gives ${labels.keyColumn} "${key}" two labels: "${digests[digest]}" and "${label}".`,
      );
    digests[digest] = label;
  }
  if (!Object.keys(digests).length) throw new Error(`${file} has no row with both a key and a label.`);
  return { keyKind: labels.keyKind, classes: [...new Set(Object.values(digests))].sort(), digests };
}

/** The `.dcm` files under `dir`, relative to `root`, `/`-separated. */
function dicomFilesUnder(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return (readdirSync(join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => `${dir}/${f.split(/[\\/]/).join('/')}`)
    .sort();
}

/** Query datasets of the open project. */
export class PacsDatasets {
  constructor(
    private readonly store: () => ProjectStore,
    private readonly profiles: () => PacsProfileStore,
    /** Sets a node's params (through the engine, so the graph-changed event follows). */
    private readonly setParams: (node: string, params: Record<string, unknown>) => Promise<unknown>,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  private describe(node: string, saved: SavedQuery): PacsDatasetSource {
    const { labels, ...rest } = saved;
    return {
      node,
      ...rest,
      folder: cacheFolder(this.store(), node),
      ...(labels
        ? {
            labels: {
              keyKind: labels.keyKind,
              rows: Object.keys(labels.digests).length,
              classes: labels.classes,
            },
          }
        : {}),
    };
  }

  private datasetNode(node: string): { id: string; params: Record<string, unknown> } {
    const found = this.store()
      .graph()
      .nodes.find((n) => n.id === node);
    if (found?.kind !== 'dataset') throw new Error(`"${node}" is not a Dataset node of this project`);
    return found;
  }

  get(params: EngineParams<'getPacsDatasetSource'>): PacsDatasetSource | null {
    const { node } = EngineRequests.getPacsDatasetSource.parse(params);
    const saved = this.store().getSetting<SavedQuery>(settingOf(node));
    return saved ? this.describe(node, saved) : null;
  }

  async set(params: EngineParams<'setPacsDatasetSource'>): Promise<PacsDatasetSource> {
    const request = EngineRequests.setPacsDatasetSource.parse(params);
    const store = this.store();
    const dataset = this.datasetNode(request.node);
    this.profiles().get(request.profile);
    const saved: SavedQuery = { profile: request.profile, filters: request.filters };
    if (request.labels)
      saved.labels = readLabels(
        store.resolvePath(request.labels.file),
        request.labels,
        secretFrom(secretFileOf(store)),
      );
    store.setSetting(settingOf(request.node), saved);
    const folder = cacheFolder(store, request.node);
    mkdirSync(store.resolvePath(folder), { recursive: true });
    await this.setParams(request.node, {
      ...dataset.params,
      path: folder,
      ...(saved.labels ? { layout: 'csv', labelsFile: LABELS_FILE } : {}),
    });
    return this.describe(request.node, saved);
  }

  /**
   * Lists the query's studies, pulls those with a label (all when there are no labels), and
   * rewrites `labels.csv`. Files already in the cache are not fetched again.
   */
  async refresh(
    params: EngineParams<'refreshPacsDataset'>,
    options: RequestOptions = {},
  ): Promise<PacsDatasetSource> {
    const { node } = EngineRequests.refreshPacsDataset.parse(params);
    const store = this.store();
    const saved = store.getSetting<SavedQuery>(settingOf(node));
    if (!saved)
      throw new Error(
        `Dataset node "${node}" has no saved PACS query: set one with "Use a PACS query…" in its Parameter tab.`,
      );
    const connection = this.profiles().connection(saved.profile);
    const secretFile = secretFileOf(store);
    const secret = secretFrom(secretFile);
    const names = new Pseudonymizer(secret);
    const studies = await searchStudies(connection, saved.filters);
    const labelOf = (study: (typeof studies)[number]): string | undefined => {
      if (!saved.labels) return undefined;
      const key = { accession: study.accession, study: study.uid, patient: study.patientId }[
        saved.labels.keyKind
      ];
      return key ? saved.labels.digests[keyDigest(secret, saved.labels.keyKind, key)] : undefined;
    };
    const labelled = studies.map((study) => ({ study, label: labelOf(study) }));
    const wanted = saved.labels ? labelled.filter((s) => s.label !== undefined) : labelled;
    const dir = store.resolvePath(cacheFolder(store, node));
    // The pull's own record is kept hidden, so that the Dataset node does not list it as a skipped file.
    const record = join(dir, RECORD);
    const hidden = join(dir, `.${RECORD}`);
    if (existsSync(hidden)) renameSync(hidden, record);
    let instances = 0;
    try {
      if (wanted.length)
        instances = (
          await pullStudies({
            connection,
            studies: wanted.map((s) => s.study.uid),
            dir,
            keepIdentifiers: false,
            secretFile,
            operation: `refresh:${node}`,
            emit: this.emit,
            signal: options.signal,
          })
        ).instances;
    } finally {
      if (existsSync(record)) renameSync(record, hidden);
    }
    if (saved.labels) {
      const rows = [csvRow(['file', 'label'])];
      for (const { study, label } of wanted)
        for (const file of dicomFilesUnder(dir, names.uid(study.uid))) rows.push(csvRow([file, label ?? '']));
      writeFileSync(join(dir, LABELS_FILE), `${rows.join('\n')}\n`);
    }
    saved.refreshed = {
      when: new Date().toISOString(),
      studies: studies.length,
      labelled: saved.labels ? wanted.length : 0,
      unlabelled: saved.labels ? studies.length - wanted.length : studies.length,
      instances,
    };
    store.setSetting(settingOf(node), saved);
    return this.describe(node, saved);
  }
}
