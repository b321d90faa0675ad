/**
 * The Dataset node's "Source: PACS query" (Parameter tab): a saved query
 * (profile + filters, and a label CSV keyed by accession number, study UID or
 * patient ID) instead of a folder. Saving it points the node's folder at a
 * cache under the project's data folder; "Refresh from PACS" fetches what the
 * query finds and is not there yet, with progress, and says what it found.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { GraphNode, PacsDatasetSource, PacsFilters, PacsLabels } from '../../../engine/api';
import { useWorkbench } from '../context';
import { PacsProgressBar } from './PacsProgressBar';
import './pacs.css';

const KEY_KINDS: { value: PacsLabels['keyKind']; label: string }[] = [
  { value: 'accession', label: 'accession number' },
  { value: 'study', label: 'study instance UID' },
  { value: 'patient', label: 'patient ID' },
];

function PacsQuerySourceView({ node }: { node: GraphNode }) {
  const wb = useWorkbench();
  const [source, setSource] = useState<PacsDatasetSource | null>(null);
  const [open, setOpen] = useState(false);
  const [profile, setProfile] = useState('');
  const [filters, setFilters] = useState<PacsFilters>({});
  const [labels, setLabels] = useState<PacsLabels>({
    file: '',
    keyColumn: 'accession',
    keyKind: 'accession',
    labelColumn: 'label',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void wb.api.getPacsDatasetSource({ node: node.id }).then((s) => {
      setSource(s);
      if (!s) return;
      setProfile(s.profile);
      setFilters(s.filters);
    });
    void wb.pacs.load().then((list) => setProfile((p) => p || list.profiles[0]?.name || ''));
  }, [wb, node.id]);
  const act = async (work: () => Promise<PacsDatasetSource>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setSource(await work());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const save = (): Promise<void> =>
    act(async () => {
      const saved = await wb.api.setPacsDatasetSource({
        node: node.id,
        profile,
        filters: Object.fromEntries(Object.entries(filters).filter(([, v]) => v?.trim())),
        ...(labels.file.trim() ? { labels } : {}),
      });
      setOpen(false);
      // The engine pointed the node's folder at the cache: show its params and summary as they are now.
      const snapshot = await wb.api.getProject({});
      if (snapshot) wb.adoptSnapshot(snapshot);
      return saved;
    });
  const refresh = (): Promise<void> =>
    act(async () => {
      const refreshed = await wb.api.refreshPacsDataset({ node: node.id });
      wb.pacs.refreshed(node.id);
      return refreshed;
    });
  const progress = wb.pacs.progress.get(`refresh:${node.id}`);
  const described = source && Object.entries(source.filters).map(([k, v]) => `${k} ${v}`);
  return (
    <section className="pacs-query" data-testid="pacs-query">
      <h4>Source: PACS query</h4>
      {source ? (
        <p className="muted pacs-note" data-testid="pacs-query-summary">
          {source.profile}: {described?.length ? described.join(', ') : 'every study'}; copied into{' '}
          {source.folder}
          {source.labels
            ? `; labels by ${source.labels.keyKind} (${source.labels.rows} rows kept hashed: ${source.labels.classes.join(', ')})`
            : ''}
          {source.refreshed
            ? `. Last refresh ${source.refreshed.when.slice(0, 16).replace('T', ' ')}: ${source.refreshed.studies} studies found, ${source.refreshed.labelled} labelled, ${source.refreshed.unlabelled} without a label, ${source.refreshed.instances} instances.`
            : '. Not refreshed yet.'}
        </p>
      ) : (
        <p className="muted pacs-note">This node reads a folder. It can read a saved PACS query instead.</p>
      )}
      <div className="field-row">
        <button type="button" className="btn" onClick={() => setOpen((o) => !o)}>
          {source ? 'Edit query…' : 'Use a PACS query…'}
        </button>
        {source && (
          <button type="button" className="btn" disabled={busy} onClick={() => void refresh()}>
            {busy ? 'Refreshing…' : 'Refresh from PACS'}
          </button>
        )}
      </div>
      {busy && progress && <PacsProgressBar progress={progress} />}
      {open && (
        <form
          className="pacs-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label>
            Server
            <select value={profile} onChange={(e) => setProfile(e.target.value)}>
              {wb.pacs.profiles?.profiles.map((p) => (
                <option key={p.name}>{p.name}</option>
              ))}
            </select>
          </label>
          {(['patient', 'accession', 'modality', 'dateFrom', 'dateTo', 'description'] as const).map((key) => (
            <label key={key}>
              {key}
              <input
                value={filters[key] ?? ''}
                onChange={(e) => setFilters((f) => ({ ...f, [key]: e.target.value }))}
              />
            </label>
          ))}
          <label>
            Label CSV (relative to the project&apos;s folder)
            <input value={labels.file} onChange={(e) => setLabels((l) => ({ ...l, file: e.target.value }))} />
          </label>
          <div className="pacs-pair">
            <label>
              Key column
              <input
                value={labels.keyColumn}
                onChange={(e) => setLabels((l) => ({ ...l, keyColumn: e.target.value }))}
              />
            </label>
            <label>
              It holds the
              <select
                value={labels.keyKind}
                onChange={(e) =>
                  setLabels((l) => ({ ...l, keyKind: e.target.value as PacsLabels['keyKind'] }))
                }
              >
                {KEY_KINDS.map((k) => (
                  <option key={k.value} value={k.value}>
                    {k.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label>
            Label column
            <input
              value={labels.labelColumn}
              onChange={(e) => setLabels((l) => ({ ...l, labelColumn: e.target.value }))}
            />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy || !profile}>
            Save query
          </button>
        </form>
      )}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}

/** See the module comment. */
export const PacsQuerySource = observer(PacsQuerySourceView);
