/**
 * "Test cluster": what a profile can do, said in one sentence. `sinfo` shows
 * that the Slurm commands reach the controller and the partition has nodes;
 * then a one-second job in the shared folder runs the profile's set-up lines
 * and the engine's `--help` on a node, and its output file must come back to
 * this computer through the shared folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterProfile, ClusterTestResult } from '../api';
import { PHI_SCRIPT } from './batch-script';
import { slurmEnvOf } from './profiles';
import { ENDED_STATES, sbatch, scancel, sinfo, squeue } from './slurm';
import { pause } from './submit';

/** Seconds the test job may wait in the queue and run before the test gives up. */
const DEFAULT_WAIT_SECONDS = 120;

/** Tests `profile`; never throws: every failure is the verdict. */
export async function testCluster(
  profile: ClusterProfile,
  options: { waitSeconds?: number; signal?: AbortSignal } = {},
): Promise<ClusterTestResult> {
  const env = slurmEnvOf(profile);
  const steps: ClusterTestResult['steps'] = [];
  const verdict = (ok: boolean, message: string): ClusterTestResult => ({ ok, message, steps });
  const name = `Cluster "${profile.name}"`;

  if (profile.slurmConf && !existsSync(profile.slurmConf)) {
    steps.push({ step: 'sinfo', ok: false, detail: `no ${profile.slurmConf}` });
    return verdict(
      false,
      `${name}: its slurm.conf ${profile.slurmConf} does not exist: give the cluster's slurm.conf or leave it empty`,
    );
  }
  let partitions;
  try {
    partitions = await sinfo(profile.partition, env);
  } catch (error) {
    steps.push({ step: 'sinfo', ok: false, detail: (error as Error).message });
    return verdict(
      false,
      `${name}: Slurm's commands do not reach the cluster (${(error as Error).message}): install the Slurm client and munge here and set slurm.conf`,
    );
  }
  const nodes = partitions.reduce((sum, p) => sum + p.nodes, 0);
  const listed = partitions
    .map((p) => `${p.partition} ${p.availability}, ${p.nodes} node(s) ${p.state}`)
    .join('; ');
  steps.push({ step: 'sinfo', ok: nodes > 0, detail: listed || 'no partition listed' });
  if (nodes === 0)
    return verdict(
      false,
      profile.partition
        ? `${name}: partition "${profile.partition}" is not on the cluster or has no nodes: name another partition`
        : `${name}: the cluster lists no nodes`,
    );

  const folder = join(profile.sharedFolder, '.phi-cluster-test');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    steps.push({ step: 'shared folder', ok: false, detail: (error as Error).message });
    return verdict(
      false,
      `${name}: the shared folder ${profile.sharedFolder} cannot be written here: fix its path or rights`,
    );
  }
  const stem = join(folder, `test-${randomBytes(4).toString('hex')}`);
  const phi = profile.phiCommand || `node '${PHI_SCRIPT}'`;
  writeFileSync(
    `${stem}.sbatch`,
    [
      '#!/bin/bash',
      `#SBATCH --job-name=phi-cluster-test`,
      `#SBATCH --output=${stem}.out`,
      '#SBATCH --time=00:05:00',
      ...(profile.partition ? [`#SBATCH --partition=${profile.partition}`] : []),
      ...(profile.account ? [`#SBATCH --account=${profile.account}`] : []),
      ...profile.setup,
      'sleep 1',
      'echo "host $(hostname)"',
      `if ${phi} --help >/dev/null 2>"${stem}.err"; then echo engine ok; else echo "engine failed: $(tail -n 1 "${stem}.err")"; fi`,
      '',
    ].join('\n'),
  );
  const started = Date.now();
  try {
    let job: string;
    try {
      job = await sbatch(`${stem}.sbatch`, env);
    } catch (error) {
      steps.push({ step: 'sbatch', ok: false, detail: (error as Error).message });
      return verdict(false, `${name}: Slurm refused the test job (${(error as Error).message})`);
    }
    steps.push({ step: 'sbatch', ok: true, detail: `job ${job}` });
    const wait = (options.waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000;
    let last = 'PENDING';
    const signal = options.signal ?? new AbortController().signal;
    for (;;) {
      const entry = (await squeue(['phi-cluster-test'], env).catch(() => [])).find((e) => e.job === job);
      if (entry) last = `${entry.state}${entry.reason !== 'None' ? ` (${entry.reason})` : ''}`;
      if (!entry || ENDED_STATES.has(entry.state)) break;
      if (Date.now() - started > wait || signal.aborted) {
        await scancel([job], env).catch(() => undefined);
        steps.push({ step: 'job', ok: false, detail: last });
        return verdict(
          false,
          `${name}: the test job was still ${last} after ${Math.round((Date.now() - started) / 1000)} s and was cancelled: the partition or account cannot run it now`,
        );
      }
      await pause(1000, signal);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    // A shared file system may show the output a little late.
    for (let i = 0; i < 10 && !existsSync(`${stem}.out`); i++) await pause(500, signal);
    if (!existsSync(`${stem}.out`)) {
      steps.push({ step: 'output', ok: false, detail: `job ${job} ended ${last}; no ${stem}.out` });
      return verdict(
        false,
        `${name}: the test job ended (${last}) but its output is not in ${profile.sharedFolder}: that folder is not shared with the nodes at the same path`,
      );
    }
    const output = readFileSync(`${stem}.out`, 'utf8');
    const host = /^host (.+)$/m.exec(output)?.[1] ?? 'a node';
    steps.push({
      step: 'job',
      ok: true,
      detail: `ran on ${host}, ${seconds} s from submission to its output`,
    });
    const engine = /^engine (ok|failed: .*)$/m.exec(output)?.[1];
    if (engine !== 'ok') {
      const said = engine?.slice('failed: '.length) || 'no answer';
      steps.push({ step: 'engine', ok: false, detail: said });
      return verdict(
        false,
        `${name}: the test job ran on ${host} but the engine did not answer there (${phi} --help: ${said}): install it on the nodes at the same path or set the phi command`,
      );
    }
    steps.push({ step: 'engine', ok: true, detail: `${phi} --help answered on ${host}` });
    return verdict(
      true,
      `${name} works: ${listed}; a test job ran on ${host} ${seconds} s after submission, the engine answered there and its output came back through ${profile.sharedFolder}`,
    );
  } finally {
    for (const suffix of ['.sbatch', '.out', '.err']) rmSync(`${stem}${suffix}`, { force: true });
  }
}
