/**
 * PACS server profiles in the user's settings folder (`pacs-profiles.json`,
 * never in a project), their secrets kept apart by {@link PacsSecrets}, and a
 * profile turned into what `src/engine/pacs` connects with.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { PacsProfileSchema, type PacsProfile, type PacsProfiles } from '../api';
import { configDir } from '../custom';
import { readAccess } from '../pacs/access';
import type { HttpAccess } from '../pacs/dicomweb';
import type { DimseOptions } from '../pacs/dimse';
import { checkAet, parseTarget, type PacsTarget } from '../pacs/target';
import { PacsSecrets } from './pacs-secrets';

const PROFILES_FILE = 'pacs-profiles.json';

/** What a profile connects with. */
export interface PacsConnection {
  target: PacsTarget;
  http: HttpAccess;
  dimse: DimseOptions & { port: number };
}

/** The profiles of this user. */
export class PacsProfileStore {
  readonly file: string;
  readonly secrets: PacsSecrets;

  constructor(folder = configDir()) {
    this.file = join(folder, PROFILES_FILE);
    this.secrets = new PacsSecrets(folder);
  }

  list(): PacsProfiles {
    return {
      profiles: this.read().map((p) => ({ ...p, hasSecret: this.secrets.has(p.name) })),
      secretStore: this.secrets.describe(),
    };
  }

  /** The profile named; throws naming the known ones when there is none. */
  get(name: string): PacsProfile {
    const found = this.read().find((p) => p.name === name);
    if (!found) {
      const names = this.read().map((p) => `"${p.name}"`);
      throw new Error(
        `There is no PACS profile "${name}"${names.length ? ` (there are ${names.join(', ')})` : ''}: add it under File > PACS servers.`,
      );
    }
    return found;
  }

  /** Saves a profile (checked first); `secret` replaces the stored one when given. */
  save(profile: PacsProfile, secret?: string, previousName?: string): PacsProfiles {
    connectionOf(profile, secret ?? (profile.auth === 'none' ? undefined : 'checked-later'));
    const others = this.read().filter((p) => p.name !== profile.name && p.name !== previousName);
    if (previousName && previousName !== profile.name) this.secrets.rename(previousName, profile.name);
    if (profile.auth === 'none') this.secrets.delete(profile.name);
    else if (secret) this.secrets.set(profile.name, secret);
    this.write([...others, profile].sort((a, b) => a.name.localeCompare(b.name)));
    return this.list();
  }

  delete(name: string): PacsProfiles {
    this.write(this.read().filter((p) => p.name !== name));
    this.secrets.delete(name);
    return this.list();
  }

  /** The connection of a saved profile, with its stored secret. */
  connection(name: string): PacsConnection {
    const profile = this.get(name);
    return connectionOf(profile, profile.auth === 'none' ? undefined : this.secrets.get(name));
  }

  private read(): PacsProfile[] {
    if (!existsSync(this.file)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      parsed = undefined;
    }
    const profiles = z.array(PacsProfileSchema).safeParse(parsed);
    if (!profiles.success)
      throw new Error(
        `${this.file} is not a list of PACS profiles: correct it, or remove it to start again.`,
      );
    return profiles.data;
  }

  private write(profiles: PacsProfile[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.part`, `${JSON.stringify(profiles, null, 2)}\n`);
    renameSync(`${this.file}.part`, this.file);
  }
}

/**
 * What `profile` connects with; throws one sentence naming the field to fix (a URL that is not a
 * PACS URL, a bad AE title, a missing password or token, a CA file that cannot be read).
 */
export function connectionOf(profile: PacsProfile, secret: string | undefined): PacsConnection {
  const target = parseTarget(profile.url);
  const http: HttpAccess = profile.caFile ? readAccess({ caFile: profile.caFile }) : {};
  if (target.kind === 'dicomweb' && profile.auth !== 'none') {
    if (!secret)
      throw new Error(
        `PACS profile "${profile.name}" has no ${profile.auth === 'basic' ? 'password' : 'token'} stored: enter it in the profile.`,
      );
    if (profile.auth === 'basic' && !profile.user)
      throw new Error(`PACS profile "${profile.name}" uses a password but names no user: enter the user.`);
    http.authorization =
      profile.auth === 'basic'
        ? `Basic ${Buffer.from(`${profile.user}:${secret}`).toString('base64')}`
        : `Bearer ${secret}`;
  }
  return {
    target,
    http,
    dimse: { ourAet: checkAet(profile.ourAet, 'our AE title'), port: profile.ourPort },
  };
}
