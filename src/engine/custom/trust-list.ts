/**
 * The user's own list of trusted custom module sources (docs/design.md section 10): a
 * project file from elsewhere does not run its custom code until the user
 * trusts it. The list is kept per user, outside any project, keyed by the
 * SHA-256 of each source, so a project cannot mark itself trusted and an edited
 * source needs trusting again.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const FILE_NAME = 'trusted-modules.json';
const HASH = /^[0-9a-f]{64}$/;

const TrustFileSchema = z.object({
  version: z.literal(1),
  hashes: z.array(z.string().regex(HASH)),
});

/**
 * The per-user config folder: `PHI_CONFIG_DIR` when set, else the platform's
 * (`%APPDATA%\phi-studio`, `~/Library/Application Support/phi-studio`,
 * `$XDG_CONFIG_HOME/phi-studio` or `~/.config/phi-studio`).
 */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.PHI_CONFIG_DIR) return env.PHI_CONFIG_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'phi-studio');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'phi-studio');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'phi-studio');
}

/** Source hashes the user trusts, in a JSON file; every change is written at once (atomically). */
export class TrustList {
  /** Path of the JSON file. */
  readonly file: string;

  constructor(file?: string) {
    this.file = file ?? join(configDir(), FILE_NAME);
  }

  /** True when the user has trusted this source hash. */
  isTrusted(sourceHash: string): boolean {
    return this.read().has(sourceHash.toLowerCase());
  }

  /** Trusts source hashes (SHA-256, hex); malformed ones are refused with an error. */
  trust(hashes: string[]): void {
    const set = this.read();
    for (const hash of this.check(hashes)) set.add(hash);
    this.write(set);
  }

  /** Forgets source hashes. */
  untrust(hashes: string[]): void {
    const set = this.read();
    for (const hash of hashes) set.delete(hash.toLowerCase());
    this.write(set);
  }

  private check(hashes: string[]): string[] {
    return hashes.map((hash) => {
      const h = hash.toLowerCase();
      if (!HASH.test(h)) throw new Error(`"${hash}" is not a source hash (64 hex digits of SHA-256)`);
      return h;
    });
  }

  /**
   * Read afresh each time: another window or `phi` process may have trusted
   * something since. A missing file is an empty list; a damaged one is moved
   * aside (so it is not overwritten) and counts as empty: nothing is trusted
   * by accident.
   */
  private read(): Set<string> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw error;
    }
    let parsed: z.infer<typeof TrustFileSchema> | undefined;
    try {
      const result = TrustFileSchema.safeParse(JSON.parse(text));
      if (result.success) parsed = result.data;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      renameSync(this.file, `${this.file}.damaged-${Date.now()}`);
      return new Set();
    }
    return new Set(parsed.hashes);
  }

  private write(set: Set<string>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const body: z.infer<typeof TrustFileSchema> = { version: 1, hashes: [...set].sort() };
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
