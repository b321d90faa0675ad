import { describe, expect, it } from 'vitest';
import { encodeNpyFloat32, parseNpy } from './npy';

/** A v1 .npy with `descr` and the given raw data bytes. */
function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  const tuple = `${shape.join(', ')}${shape.length === 1 ? ',' : ''}`;
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${tuple}), }`.padEnd(53) + '\n';
  const head = new Uint8Array(10);
  head.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  return Uint8Array.from([...head, ...Array.from(header, (c) => c.charCodeAt(0)), ...data]);
}

describe('parseNpy', () => {
  it('reads each dtype in either byte order', () => {
    expect(Array.from(parseNpy(npy('|u1', [3], Uint8Array.of(0, 7, 255))).data)).toEqual([0, 7, 255]);
    expect(Array.from(parseNpy(npy('|i1', [2], Uint8Array.of(0xff, 5))).data)).toEqual([-1, 5]);
    expect(Array.from(parseNpy(npy('>u2', [2], Uint8Array.of(1, 2, 0, 9))).data)).toEqual([258, 9]);
    expect(Array.from(parseNpy(npy('<i4', [1], Uint8Array.of(0xfe, 0xff, 0xff, 0xff))).data)).toEqual([-2]);
    // Half precision 1.5 is 0x3e00; -2 is 0xc000.
    expect(Array.from(parseNpy(npy('<f2', [2], Uint8Array.of(0x00, 0x3e, 0x00, 0xc0))).data)).toEqual([
      1.5, -2,
    ]);
    const floats = parseNpy(encodeNpyFloat32(Float32Array.of(0.25, -3), [2, 1]));
    expect(floats.shape).toEqual([2, 1]);
    expect(Array.from(floats.data)).toEqual([0.25, -3]);
  });

  it('names an unsupported dtype and a truncated file', () => {
    expect(() => parseNpy(npy('<c8', [1], new Uint8Array(8)))).toThrow('unsupported .npy dtype <c8');
    expect(() => parseNpy(npy('<f8', [2], new Uint8Array(8)))).toThrow(
      '.npy file is truncated: expected 2 values of <f8',
    );
  });
});
