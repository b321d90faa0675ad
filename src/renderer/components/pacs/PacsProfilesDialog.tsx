/**
 * File > PACS servers…: the user's PACS profiles (kept in the user's settings,
 * not in the project): name, URL, our AE title and port, authentication, CA
 * file; the password or token is sent once and kept encrypted by the engine
 * (the sentence under the form says where). "Test connection" answers with
 * the engine's verdict sentence. Enter saves, Escape closes.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { observer } from 'mobx-react-lite';
import type { PacsProfile, PacsProfileInfo } from '../../../engine/api';
import { useWorkbench } from '../context';
import { Dialog, DialogFooter } from '../Dialog';
import { ProfileForm } from '../ProfileList';
import './pacs.css';

const EMPTY: PacsProfile = {
  name: '',
  url: '',
  ourAet: 'PHI',
  ourPort: 11112,
  auth: 'none',
  user: '',
  caFile: '',
};

function PacsProfilesDialogView() {
  const wb = useWorkbench();
  const [editing, setEditing] = useState<string | null>(null);
  const [profile, setProfile] = useState<PacsProfile>(EMPTY);
  const [secret, setSecret] = useState('');
  const [verdict, setVerdict] = useState<{ ok: boolean; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = (): void => wb.pacs.open(null);
  useEffect(() => {
    void wb.pacs.load().catch((e: Error) => setError(e.message));
  }, [wb]);
  const profiles = wb.pacs.profiles?.profiles ?? [];
  const stored = profiles.find((p) => p.name === editing);
  const choose = (p: PacsProfileInfo | null): void => {
    setEditing(p?.name ?? null);
    setProfile(p ? { ...EMPTY, ...p } : EMPTY);
    setSecret('');
    setVerdict(null);
    setError(null);
  };
  const set = <K extends keyof PacsProfile>(key: K, value: PacsProfile[K]): void => {
    setProfile((p) => ({ ...p, [key]: value }));
    setVerdict(null);
  };
  const dicomweb = /^https?:/i.test(profile.url);
  const asks = dicomweb && profile.auth !== 'none';
  const secretLabel = profile.auth === 'bearer' ? 'Token' : 'Password';
  const blocked = !profile.name.trim()
    ? 'Give the profile a name'
    : !profile.url.trim()
      ? 'Give the URL: https://host/dicom-web or dicom://AET@host:port'
      : asks && !secret && !stored?.hasSecret
        ? `Enter the ${secretLabel.toLowerCase()}`
        : undefined;
  const save = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (blocked || busy) return;
    setBusy(true);
    setError(null);
    try {
      const list = await wb.api.savePacsProfile({
        profile,
        ...(secret ? { secret } : {}),
        ...(editing ? { previousName: editing } : {}),
      });
      wb.pacs.adopt(list);
      setEditing(profile.name);
      setSecret('');
      wb.toast('success', `Saved PACS profile "${profile.name}"`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const test = async (): Promise<void> => {
    setBusy(true);
    setVerdict(null);
    try {
      setVerdict(await wb.api.testPacsConnection({ profile, ...(secret ? { secret } : {}) }));
    } catch (e) {
      setVerdict({ ok: false, message: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const remove = async (): Promise<void> => {
    if (!editing) return;
    wb.pacs.adopt(await wb.api.deletePacsProfile({ name: editing }));
    choose(null);
  };
  return (
    <Dialog title="PACS servers" onClose={close}>
      <ProfileForm
        label="PACS profiles"
        names={profiles.map((p) => p.name)}
        chosen={editing}
        onChoose={(name) => choose(profiles.find((p) => p.name === name) ?? null)}
        name={profile.name}
        onName={(name) => set('name', name)}
        onSubmit={(e) => void save(e)}
        actions={{
          testLabel: 'Test connection',
          testing: false,
          disabled: busy || !profile.url.trim(),
          onTest: () => void test(),
          ...(editing ? { onDelete: () => void remove() } : {}),
          verdict,
        }}
      >
        <label>
          URL
          <input
            value={profile.url}
            placeholder="https://pacs.example.org/dicom-web or dicom://AET@host:104"
            onChange={(e) => set('url', e.target.value)}
          />
        </label>
        <div className="pacs-pair">
          <label title="The AE title the PACS knows us by (DIMSE)">
            Our AE title
            <input value={profile.ourAet} onChange={(e) => set('ourAet', e.target.value)} />
          </label>
          <label title="The port of our C-STORE receiver that C-MOVE sends to (DIMSE)">
            Our port
            <input
              type="number"
              value={profile.ourPort}
              onChange={(e) => set('ourPort', Number(e.target.value))}
            />
          </label>
        </div>
        <div className="pacs-pair">
          <label>
            Authentication
            <select
              value={profile.auth}
              onChange={(e) => set('auth', e.target.value as PacsProfile['auth'])}
              disabled={!dicomweb}
              title={dicomweb ? 'How the DICOMweb server checks who we are' : 'DIMSE uses AE titles only'}
            >
              <option value="none">none</option>
              <option value="basic">user and password</option>
              <option value="bearer">bearer token</option>
            </select>
          </label>
          {profile.auth === 'basic' && dicomweb && (
            <label>
              User
              <input value={profile.user} onChange={(e) => set('user', e.target.value)} />
            </label>
          )}
        </div>
        {asks && (
          <label>
            {secretLabel}
            <input
              type="password"
              value={secret}
              autoComplete="off"
              placeholder={stored?.hasSecret ? 'stored: leave empty to keep it' : ''}
              onChange={(e) => (setSecret(e.target.value), setVerdict(null))}
            />
          </label>
        )}
        {dicomweb && (
          <label title="A PEM file with the hospital's certificate authority, for https servers">
            CA file (optional)
            <input value={profile.caFile} onChange={(e) => set('caFile', e.target.value)} />
          </label>
        )}
        <p className="muted pacs-note">{wb.pacs.profiles?.secretStore}</p>
      </ProfileForm>
      <DialogFooter
        error={error}
        onCancel={close}
        label={busy ? 'Saving…' : 'Save'}
        blocked={blocked ?? (busy ? 'Busy…' : undefined)}
        hint="Save the profile in your settings (Enter)"
        onConfirm={() => void save()}
      />
    </Dialog>
  );
}

/** See the module comment. */
export const PacsProfilesDialog = observer(PacsProfilesDialogView);
