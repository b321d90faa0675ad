/**
 * Passwords and tokens of PACS profiles, kept in the user's settings folder
 * (never in a project) as AES-256-GCM ciphertext. The key: on the desktop,
 * one that Electron's safeStorage (the OS keychain) keeps and main hands to
 * the engine process in `PHI_SECRETS_KEY`; in web mode (`phi serve`, the CLI),
 * a machine-local key file beside the secrets, readable by the user alone.
 * Such a file keeps the secrets from anyone who copies the secrets file alone,
 * not from someone who can read the user's files (docs/pacs.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configDir } from '../custom';

const SECRETS_FILE = 'pacs-secrets.json';
const KEY_FILE = 'pacs-secrets.key';

/** Where the key comes from, in words for the profile dialog. */
export type SecretKeeping = 'keychain' | 'key-file';

/** The encrypted secrets of every profile, by profile name. */
export class PacsSecrets {
  readonly file: string;
  readonly keeping: SecretKeeping;
  private readonly key: Buffer;

  constructor(folder = configDir(), env: NodeJS.ProcessEnv = process.env) {
    this.file = join(folder, SECRETS_FILE);
    const given = env.PHI_SECRETS_KEY;
    if (given && /^[0-9a-f]{64}$/i.test(given)) {
      this.key = Buffer.from(given, 'hex');
      this.keeping = 'keychain';
    } else {
      this.key = keyFile(join(folder, KEY_FILE));
      this.keeping = 'key-file';
    }
  }

  /** The sentence the profile dialog shows. */
  describe(): string {
    return this.keeping === 'keychain'
      ? `Passwords and tokens are encrypted in ${this.file} with a key the system keychain keeps.`
      : `Passwords and tokens are encrypted in ${this.file} with a key kept in ${KEY_FILE} beside it, readable by you alone: anyone who can read your files can read them.`;
  }

  has(name: string): boolean {
    return name in this.read();
  }

  get(name: string): string | undefined {
    const sealed = this.read()[name];
    if (!sealed) return undefined;
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        `The stored secret of PACS profile "${name}" cannot be decrypted with this computer's key: enter it again in the profile.`,
      );
    }
  }

  set(name: string, secret: string): void {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const all = this.read();
    all[name] = [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64')).join('.');
    this.write(all);
  }

  delete(name: string): void {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }

  rename(from: string, to: string): void {
    const all = this.read();
    if (!(from in all) || from === to) return;
    all[to] = all[from];
    delete all[from];
    this.write(all);
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
  }

  private write(all: Record<string, string>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.part`, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${this.file}.part`, this.file);
  }
}

/** The key in `file`, made (32 random bytes, owner-only) the first time. */
function keyFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
