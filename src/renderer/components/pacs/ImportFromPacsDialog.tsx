/**
 * File > Import from PACS…: choose a profile, search by patient ID, accession
 * number, study date range, modality and description, pick studies in the
 * results (series and instance counts as the server reports them), choose the
 * destination folder (relative to the project's folder) and import. Files are
 * de-identified on arrival unless "Keep identifiers" is ticked, which says
 * what that means. A search without any filter asks to confirm the import
 * with the number of studies. The progress bar counts instances; Cancel stops
 * the import, and importing again fetches only what is missing.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { observer } from 'mobx-react-lite';
import type { PacsFilters, PacsImportResult, PacsSearchResult } from '../../../engine/api';
import { useWorkbench } from '../context';
import { Dialog, DialogFooter } from '../Dialog';
import { PacsProgressBar } from './PacsProgressBar';
import './pacs.css';

const FILTER_FIELDS: { key: keyof PacsFilters; label: string; placeholder?: string }[] = [
  { key: 'patient', label: 'Patient ID' },
  { key: 'accession', label: 'Accession number' },
  { key: 'modality', label: 'Modality', placeholder: 'CT, MR…' },
  { key: 'dateFrom', label: 'Study date from', placeholder: 'YYYYMMDD' },
  { key: 'dateTo', label: 'Study date to', placeholder: 'YYYYMMDD' },
  { key: 'description', label: 'Description contains' },
];

function ImportFromPacsDialogView() {
  const wb = useWorkbench();
  const [profile, setProfile] = useState('');
  const [filters, setFilters] = useState<PacsFilters>({});
  const [found, setFound] = useState<PacsSearchResult | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [folder, setFolder] = useState('pacs-import');
  const [keep, setKeep] = useState(false);
  const [mapping, setMapping] = useState({ on: false, file: 'reidentification.phimap', passphrase: '' });
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'search' | 'import' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<PacsImportResult | null>(null);
  const [request, setRequest] = useState<AbortController | null>(null);
  // The Import button is off while importing and loses the focus: give it to the folder after, so that keys (Escape) reach the dialog.
  const destination = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (done || error) destination.current?.focus();
  }, [done, error]);
  useEffect(() => {
    void wb.pacs.load().then(
      (list) => setProfile((p) => p || list.profiles[0]?.name || ''),
      (e: Error) => setError(e.message),
    );
  }, [wb]);
  const close = (): void => {
    request?.abort();
    wb.pacs.open(null);
  };
  const search = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (!profile || busy) return;
    setBusy('search');
    setError(null);
    setDone(null);
    setConfirming(false);
    try {
      const result = await wb.api.searchPacs({ profile, filters: cleaned(filters) });
      setFound(result);
      setChosen(new Set(result.studies.map((s) => s.uid)));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const runImport = async (): Promise<void> => {
    if (!found || !chosen.size) return;
    if (!found.filtered && !confirming) return setConfirming(true);
    const controller = new AbortController();
    setRequest(controller);
    setBusy('import');
    setError(null);
    setConfirming(false);
    wb.pacs.progress.delete('import');
    try {
      const result = await wb.api.importFromPacs(
        {
          profile,
          studies: [...chosen],
          folder,
          keepIdentifiers: keep,
          ...(mapping.on && !keep ? { mapping: { file: mapping.file, passphrase: mapping.passphrase } } : {}),
        },
        { signal: controller.signal },
      );
      setDone(result);
      wb.toast(
        'success',
        `Imported ${result.studies} studies into ${result.folder}: ${result.fetched} fetched, ${result.alreadyPresent} already there`,
      );
    } catch (e) {
      setError(
        controller.signal.aborted
          ? 'Import cancelled: what arrived is kept; import again to fetch the rest.'
          : (e as Error).message,
      );
    } finally {
      setBusy(null);
      setRequest(null);
    }
  };
  const progress = wb.pacs.progress.get('import');
  const noProfile = wb.pacs.profiles && !wb.pacs.profiles.profiles.length;
  const blocked = busy
    ? 'Importing…'
    : !found
      ? 'Search first'
      : !chosen.size
        ? 'Select at least one study'
        : !folder.trim()
          ? 'Give the destination folder'
          : mapping.on && !keep && !mapping.file.trim()
            ? 'Give the re-identification table file'
            : mapping.on && !keep && !mapping.passphrase
              ? 'Give the passphrase of the re-identification table'
              : undefined;
  const toggle = (uid: string): void =>
    setChosen((set) => {
      const next = new Set(set);
      if (!next.delete(uid)) next.add(uid);
      return next;
    });
  return (
    <Dialog title="Import from PACS" onClose={close}>
      <form className="pacs-search" onSubmit={(e) => void search(e)}>
        {noProfile && (
          <p className="pacs-warning">
            No PACS server is set up yet.{' '}
            <button type="button" className="btn" onClick={() => wb.pacs.open('profiles')}>
              Add one…
            </button>
          </p>
        )}
        <label>
          Server
          <select value={profile} onChange={(e) => setProfile(e.target.value)} aria-label="Server">
            {wb.pacs.profiles?.profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <div className="pacs-filters">
          {FILTER_FIELDS.map(({ key, label, placeholder }) => (
            <label key={key}>
              {label}
              <input
                value={filters[key] ?? ''}
                placeholder={placeholder}
                onChange={(e) => setFilters((f) => ({ ...f, [key]: e.target.value }))}
              />
            </label>
          ))}
        </div>
        <div className="field-row">
          <button type="submit" className="btn" disabled={!profile || !!busy}>
            {busy === 'search' ? 'Searching…' : 'Search'}
          </button>
          {found && (
            <span className="muted" data-testid="pacs-found">
              {found.studies.length} {found.studies.length === 1 ? 'study' : 'studies'} on {found.profile}
              {found.filtered ? '' : ' (no filter)'}, {chosen.size} selected
            </span>
          )}
        </div>
      </form>
      {found && found.studies.length > 0 && (
        <div className="pacs-results">
          <table>
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Select all studies"
                    checked={chosen.size === found.studies.length}
                    onChange={(e) =>
                      setChosen(new Set(e.target.checked ? found.studies.map((s) => s.uid) : []))
                    }
                  />
                </th>
                <th>Patient ID</th>
                <th>Accession</th>
                <th>Date</th>
                <th>Modalities</th>
                <th>Description</th>
                <th className="num">Series</th>
                <th className="num">Instances</th>
              </tr>
            </thead>
            <tbody>
              {found.studies.map((s) => (
                <tr key={s.uid} title={s.uid}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select study ${s.accession || s.uid}`}
                      checked={chosen.has(s.uid)}
                      onChange={() => toggle(s.uid)}
                    />
                  </td>
                  <td>{s.patientId}</td>
                  <td>{s.accession}</td>
                  <td>{s.date}</td>
                  <td>{s.modalities}</td>
                  <td className="wrap">{s.description}</td>
                  <td className="num">{s.series ?? 'n/a'}</td>
                  <td className="num">{s.instances ?? 'n/a'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pacs-form dialog-row">
        <label>
          Destination folder (relative to the project's folder)
          <input
            ref={destination}
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            aria-label="Destination folder"
          />
        </label>
        <label className="pacs-check">
          <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} />
          Keep identifiers (names, IDs, dates, UIDs as the PACS has them)
        </label>
        {keep ? (
          <p className="pacs-warning" role="alert">
            The files will hold patient names, IDs, birth dates and study dates: keep them only where such
            data may be stored, and do not share the folder.
          </p>
        ) : (
          <>
            <p className="muted pacs-note">
              De-identified on arrival: identifiers removed, UIDs replaced, ages kept in whole years.
            </p>
            <label className="pacs-check">
              <input
                type="checkbox"
                checked={mapping.on}
                onChange={(e) => setMapping({ ...mapping, on: e.target.checked })}
              />
              Keep a re-identification table (original IDs and UIDs beside the new ones, encrypted)
            </label>
            {mapping.on && (
              <>
                <label>
                  Table file (relative to the project's folder; later imports add to it)
                  <input
                    value={mapping.file}
                    onChange={(e) => setMapping({ ...mapping, file: e.target.value })}
                    aria-label="Re-identification table file"
                  />
                </label>
                <label>
                  Passphrase (needed to read the table back with phi pull --lookup; it is not stored)
                  <input
                    type="password"
                    value={mapping.passphrase}
                    autoComplete="new-password"
                    onChange={(e) => setMapping({ ...mapping, passphrase: e.target.value })}
                    aria-label="Re-identification passphrase"
                  />
                </label>
              </>
            )}
          </>
        )}
        {confirming && found && (
          <p className="pacs-warning" role="alert" data-testid="pacs-confirm">
            No filter was given: this imports all {chosen.size} of the {found.studies.length} studies the
            server lists. Press Import again to go on.
          </p>
        )}
        {(busy === 'import' || done) && progress && <PacsProgressBar progress={progress} />}
        {done && (
          <p className="muted" data-testid="pacs-done">
            {done.studies} studies, {done.instances} instances in {done.folder}: {done.fetched} fetched,{' '}
            {done.alreadyPresent} already there; identifiers {done.identifiers}
            {done.mappingFile ? `; re-identification table in ${done.mappingFile}` : ''}.
          </p>
        )}
      </div>
      <DialogFooter
        error={error}
        onCancel={close}
        label={busy === 'import' ? 'Importing…' : confirming ? `Import all ${chosen.size}` : 'Import'}
        blocked={blocked}
        hint="Copy the selected studies into the destination folder"
        onConfirm={() => void runImport()}
      />
      {busy === 'import' && (
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => request?.abort()}>
            Cancel import
          </button>
        </div>
      )}
    </Dialog>
  );
}

/** The filters with empty fields left out. */
function cleaned(filters: PacsFilters): PacsFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v && v.trim())) as PacsFilters;
}

/** See the module comment. */
export const ImportFromPacsDialog = observer(ImportFromPacsDialogView);
