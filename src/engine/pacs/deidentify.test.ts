import { describe, expect, it } from 'vitest';
import { coarseAge, Pseudonymizer } from './deidentify';

describe('de-identification', () => {
  it('keeps age in whole years, 90 and over as 090Y', () => {
    expect(coarseAge('045Y')).toBe('045Y');
    expect(coarseAge('095Y')).toBe('090Y');
    expect(coarseAge('018M')).toBe('001Y');
    expect(coarseAge('011M')).toBe('000Y');
    expect(coarseAge('104W')).toBe('002Y');
    expect(coarseAge('400D')).toBe('001Y');
    expect(coarseAge('45')).toBeUndefined();
  });

  it('replaces a UID by the same valid UID under one secret, by another under another secret', () => {
    const a = new Pseudonymizer(Buffer.alloc(32, 1));
    const b = new Pseudonymizer(Buffer.alloc(32, 2));
    const uid = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
    expect(a.uid(uid)).toBe(a.uid(`${uid} `));
    expect(a.uid(uid)).not.toBe(b.uid(uid));
    expect(a.uid(uid)).not.toBe(a.uid(`${uid}1`));
    expect(a.uid(uid)).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
    expect(a.uid(uid).length).toBeLessThanOrEqual(64);
    expect(a.patient('1CT1')).toMatch(/^ANON-[0-9A-F]{16}$/);
    expect(a.patient('1CT1')).toBe(a.patient('1CT1'));
    expect(a.patient('1CT1')).not.toBe(b.patient('1CT1'));
  });
});
