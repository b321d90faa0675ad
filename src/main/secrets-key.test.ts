/**
 * The desktop's PACS secrets key: made once, kept only as safeStorage's
 * ciphertext, the same on every start, and none handed over where safeStorage
 * cannot encrypt. Electron is not available here, so safeStorage is imitated
 * by AES-256-GCM under a key of its own; the engine side is the real one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PacsSecrets } from '../engine/service/pacs-secrets';
import { secretsKeyEnv, type SafeStorageLike } from './secrets-key';

const dir = mkdtempSync(join(tmpdir(), 'phi-keychain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keychain(): SafeStorageLike {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => true,
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), data]);
    },
    decryptString(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('the PACS secrets key on the desktop', () => {
  it('is kept only encrypted, is the same on the next start, and encrypts the engine secrets', () => {
    const storage = keychain();
    const first = secretsKeyEnv(storage, join(dir, 'user-data'));
    expect(first.PHI_SECRETS_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(secretsKeyEnv(storage, join(dir, 'user-data'))).toEqual(first);
    expect(readFileSync(join(dir, 'user-data', 'pacs-secrets.keychain')).toString('latin1')).not.toContain(
      first.PHI_SECRETS_KEY,
    );
    const secrets = new PacsSecrets(join(dir, 'settings'), first);
    expect(secrets.keeping).toBe('keychain');
    secrets.set('Hospital', 'the-password');
    expect(new PacsSecrets(join(dir, 'settings'), first).get('Hospital')).toBe('the-password');
    // No key file is written beside the secrets when the keychain holds the key.
    expect(readdirSync(join(dir, 'settings'))).toEqual(['pacs-secrets.json']);
    expect(readFileSync(join(dir, 'settings', 'pacs-secrets.json'), 'utf8')).not.toContain('the-password');
    // Another key cannot read them, and says what to do.
    const other = new PacsSecrets(join(dir, 'settings'), { PHI_SECRETS_KEY: 'ab'.repeat(32) });
    expect(() => other.get('Hospital')).toThrow(
      /cannot be decrypted with this computer's key: enter it again/,
    );
  });

  it('hands over no key where safeStorage cannot encrypt, and the engine uses its key file', () => {
    const none = { ...keychain(), isEncryptionAvailable: () => false };
    const env = secretsKeyEnv(none, join(dir, 'no-keyring'));
    expect(env).toEqual({});
    const secrets = new PacsSecrets(join(dir, 'fallback'), env);
    expect(secrets.keeping).toBe('key-file');
    secrets.set('Hospital', 'the-password');
    expect(readdirSync(join(dir, 'fallback')).sort()).toEqual(['pacs-secrets.json', 'pacs-secrets.key']);
    expect(secrets.describe()).toMatch(/anyone who can read your files can read them/);
  });
});
