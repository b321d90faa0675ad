import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, TrustList } from './trust-list';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const A = hash('export default defineModule({ run(d) { return d; } });');
const B = hash('something else');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-trust-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TrustList', () => {
  it('round-trips trusted hashes through its file, across instances', () => {
    const file = join(dir, 'nested', 'trusted-modules.json');
    const list = new TrustList(file);
    expect(list.isTrusted(A)).toBe(false);
    list.trust([A, B]);
    expect(list.isTrusted(A)).toBe(true);
    const again = new TrustList(file);
    expect(again.isTrusted(A)).toBe(true);
    expect(again.isTrusted(B)).toBe(true);
    again.untrust([A]);
    expect(list.isTrusted(A)).toBe(false);
    expect(list.isTrusted(B)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, hashes: [B] });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    // Upper-case hex is the same hash.
    expect(list.isTrusted(B.toUpperCase())).toBe(true);
  });

  it('refuses what is not a SHA-256 hash', () => {
    const list = new TrustList(join(dir, 't.json'));
    expect(() => list.trust(['abc'])).toThrow(/"abc" is not a source hash/);
    expect(list.isTrusted('abc')).toBe(false);
  });

  it('treats a damaged file as empty and moves it aside instead of overwriting it', () => {
    const file = join(dir, 'trusted-modules.json');
    writeFileSync(file, '{"version": 1, "hashes": [');
    const list = new TrustList(file);
    expect(list.isTrusted(A)).toBe(false);
    const aside = readdirSync(dir).filter((f) => f.startsWith('trusted-modules.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]), 'utf8')).toBe('{"version": 1, "hashes": [');
    list.trust([A]);
    expect(new TrustList(file).isTrusted(A)).toBe(true);
  });

  it('lives in the per-user config folder, PHI_CONFIG_DIR first', () => {
    expect(configDir({ PHI_CONFIG_DIR: '/x/cfg' }, 'linux')).toBe('/x/cfg');
    expect(configDir({ XDG_CONFIG_HOME: '/x/xdg' }, 'linux')).toBe(join('/x/xdg', 'phi-studio'));
    expect(configDir({}, 'linux')).toBe(join(homedir(), '.config', 'phi-studio'));
    expect(configDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toBe(
      join('C:\\Users\\a\\AppData\\Roaming', 'phi-studio'),
    );
    expect(configDir({}, 'darwin')).toBe(join(homedir(), 'Library', 'Application Support', 'phi-studio'));
    const previous = process.env.PHI_CONFIG_DIR;
    process.env.PHI_CONFIG_DIR = dir;
    try {
      expect(new TrustList().file).toBe(join(dir, 'trusted-modules.json'));
    } finally {
      if (previous === undefined) delete process.env.PHI_CONFIG_DIR;
      else process.env.PHI_CONFIG_DIR = previous;
    }
  });
});
