/**
 * The key that encrypts PACS passwords and tokens (src/engine/service/pacs-secrets.ts)
 * on the desktop: 32 random bytes kept in the user-data folder encrypted by
 * Electron's safeStorage (the OS keychain: Keychain, DPAPI, libsecret), handed to
 * the engine process in `PHI_SECRETS_KEY`. Where safeStorage cannot encrypt (a
 * Linux session without a keyring), nothing is handed over and the engine falls
 * back to its key file, as in web mode (docs/pacs.md).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What Electron's `safeStorage` offers (injected, so tests can imitate it). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

/** `{ PHI_SECRETS_KEY }` for the engine's environment, or nothing where the keychain cannot be used. */
export function secretsKeyEnv(storage: SafeStorageLike, userData: string): Record<string, string> {
  if (!storage.isEncryptionAvailable()) return {};
  const file = join(userData, 'pacs-secrets.keychain');
  try {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, storage.encryptString(randomBytes(32).toString('hex')), { mode: 0o600 });
    }
    const key = storage.decryptString(readFileSync(file));
    return /^[0-9a-f]{64}$/.test(key) ? { PHI_SECRETS_KEY: key } : {};
  } catch {
    // A keychain that refuses (locked, reset): the engine uses its own key file instead.
    return {};
  }
}
