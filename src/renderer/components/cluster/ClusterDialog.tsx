/**
 * File > Clusters…: the user's Slurm cluster profiles (kept in the user's
 * settings, not in the project): partition, account, GPUs, time limit, the
 * set-up lines jobs run first, the engine's command on the nodes, the folder
 * the nodes share, the cluster's slurm.conf, how often the queue is read and
 * how many tasks of one array job run at once. "Test cluster" answers with
 * the engine's verdict sentence (sinfo, then a one-second job running the
 * engine on a node). With a project open, "This project trains on" picks
 * where RUN trains its networks: this computer or a profile's cluster
 * (docs/cluster.md). Enter saves, Escape closes.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { observer } from 'mobx-react-lite';
import {
  ClusterProfileSchema,
  POLL_SECONDS,
  type ClusterProfile,
  type ClusterSettings,
  type ClusterTestResult,
} from '../../../engine/api';
import { useWorkbench } from '../context';
import { Dialog, DialogFooter } from '../Dialog';
import { ProfileForm } from '../ProfileList';
import { clusterDialog, showClusterDialog } from './cluster-dialog';
import '../pacs/pacs.css';
import './cluster.css';

const EMPTY: ClusterProfile = {
  name: '',
  partition: '',
  account: '',
  gres: '',
  time: '',
  setup: [],
  phiCommand: '',
  sharedFolder: '',
  slurmConf: '',
  pollSeconds: 15,
  maxParallel: null,
};

function ClusterDialogView() {
  const wb = useWorkbench();
  const [settings, setSettings] = useState<ClusterSettings | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [profile, setProfile] = useState<ClusterProfile>(EMPTY);
  const [verdict, setVerdict] = useState<ClusterTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'saving' | 'testing' | null>(null);
  const close = (): void => showClusterDialog(false);
  useEffect(() => {
    void wb.api
      .getClusterSettings({})
      .then(setSettings)
      .catch((e: Error) => setError(e.message));
  }, [wb]);
  const choose = (p: ClusterProfile | null): void => {
    setEditing(p?.name ?? null);
    setProfile(p ?? EMPTY);
    setVerdict(null);
    setError(null);
  };
  const set = <K extends keyof ClusterProfile>(key: K, value: ClusterProfile[K]): void => {
    setProfile((p) => ({ ...p, [key]: value }));
    setVerdict(null);
  };
  // A field filled in wrongly is said under the form; an empty required one only blocks Save.
  const invalid = ClusterProfileSchema.safeParse(profile).error?.issues[0]?.message;
  const blocked = !profile.name.trim()
    ? 'Give the profile a name'
    : !profile.sharedFolder.trim()
      ? 'Give the folder every node mounts at the same path'
      : invalid;
  const save = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (blocked || busy) return;
    setBusy('saving');
    setError(null);
    try {
      setSettings(
        await wb.api.saveClusterProfile({ profile, ...(editing ? { previousName: editing } : {}) }),
      );
      setEditing(profile.name);
      wb.toast('success', `Saved cluster profile "${profile.name}"`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const test = async (): Promise<void> => {
    setBusy('testing');
    setVerdict(null);
    try {
      setVerdict(await wb.api.testCluster({ profile }));
    } catch (e) {
      setVerdict({ ok: false, message: (e as Error).message, steps: [] });
    } finally {
      setBusy(null);
    }
  };
  const remove = async (): Promise<void> => {
    if (!editing) return;
    setSettings(await wb.api.deleteClusterProfile({ name: editing }));
    choose(null);
  };
  const trainOn = async (executor: string | null): Promise<void> => {
    setError(null);
    try {
      setSettings(await wb.api.setProjectExecutor({ executor }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const profiles = settings?.profiles ?? [];
  return (
    <Dialog title="Clusters" onClose={close}>
      {wb.project && (
        <label className="cluster-executor">
          This project trains on
          <select
            aria-label="This project trains on"
            value={settings?.executor ?? ''}
            onChange={(e) => void trainOn(e.target.value || null)}
          >
            <option value="">this computer</option>
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                cluster {p.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <ProfileForm
        label="Cluster profiles"
        names={profiles.map((p) => p.name)}
        chosen={editing}
        onChoose={(name) => choose(profiles.find((p) => p.name === name) ?? null)}
        name={profile.name}
        onName={(name) => set('name', name)}
        onSubmit={(e) => void save(e)}
        actions={{
          testLabel: 'Test cluster',
          testing: busy === 'testing',
          disabled: busy !== null || blocked !== undefined,
          title: blocked ?? 'sinfo, then a one-second job that runs the engine on a node',
          onTest: () => void test(),
          ...(editing ? { onDelete: () => void remove() } : {}),
          verdict,
        }}
      >
        <label title="Every node mounts it at the same path as this computer; projects trained there must be inside it">
          Shared folder
          <input
            value={profile.sharedFolder}
            placeholder="/cluster/projects"
            onChange={(e) => set('sharedFolder', e.target.value)}
          />
        </label>
        <div className="pacs-pair">
          <label>
            Partition
            <input
              value={profile.partition}
              placeholder="the cluster's default"
              onChange={(e) => set('partition', e.target.value)}
            />
          </label>
          <label>
            Account
            <input
              value={profile.account}
              placeholder="your default"
              onChange={(e) => set('account', e.target.value)}
            />
          </label>
        </div>
        <div className="pacs-pair">
          <label title="Generic resources per job, e.g. gpu:1">
            GPUs (gres)
            <input value={profile.gres} placeholder="gpu:1" onChange={(e) => set('gres', e.target.value)} />
          </label>
          <label title="Per job, in Slurm's form">
            Time limit
            <input
              value={profile.time}
              placeholder="02:00:00"
              onChange={(e) => set('time', e.target.value)}
            />
          </label>
        </div>
        <div className="pacs-pair">
          <label title="How often the workstation reads the queue (one squeue for all of a run's jobs); shared clusters ask for a few seconds at least">
            Queue poll (seconds)
            <input
              type="number"
              min={POLL_SECONDS.min}
              max={POLL_SECONDS.max}
              step={1}
              value={Number.isNaN(profile.pollSeconds) ? '' : profile.pollSeconds}
              onChange={(e) => set('pollSeconds', e.target.valueAsNumber)}
            />
          </label>
          <label title="Tasks of one array job (tuning trials, prediction shards) running at once; empty: no cap">
            At most N jobs at once
            <input
              type="number"
              min={1}
              step={1}
              value={profile.maxParallel ?? ''}
              placeholder="no cap"
              onChange={(e) => set('maxParallel', e.target.value === '' ? null : e.target.valueAsNumber)}
            />
          </label>
        </div>
        <label title="Shell lines a job runs before the engine, one per line">
          Set-up lines
          <textarea
            rows={3}
            value={profile.setup.join('\n')}
            placeholder="module load nodejs/20"
            onChange={(e) => set('setup', e.target.value === '' ? [] : e.target.value.split('\n'))}
          />
        </label>
        <label title="Empty: node and this engine's folder, which the nodes must mount at the same path">
          Phi command on the nodes
          <input
            value={profile.phiCommand}
            placeholder="node <this engine>/bin/phi.mjs"
            onChange={(e) => set('phiCommand', e.target.value)}
          />
        </label>
        <label title="Empty: SLURM_CONF of the environment, else Slurm's default">
          slurm.conf
          <input value={profile.slurmConf} onChange={(e) => set('slurmConf', e.target.value)} />
        </label>
      </ProfileForm>
      <DialogFooter
        error={error ?? (blocked === invalid ? (invalid ?? null) : null)}
        onCancel={close}
        label={busy === 'saving' ? 'Saving…' : 'Save'}
        blocked={blocked ?? (busy ? 'Busy…' : undefined)}
        hint="Save the profile in your settings (Enter)"
        onConfirm={() => void save()}
      />
    </Dialog>
  );
}

const ClusterDialogOpen = observer(ClusterDialogView);

/** File > Clusters…, when open. */
export const ClusterDialog = observer(function ClusterDialog() {
  return clusterDialog.open ? <ClusterDialogOpen /> : null;
});
