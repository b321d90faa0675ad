/**
 * A decompression bomb (a small PNG that declares a huge image) fails as that
 * file's problem, checked from its header before any pixel is decoded, and the
 * rest of its folder loads. The bomb is a real, valid PNG built here.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeflate } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { chunk } from '../../../../tools/fixtures/png';
import { tempDir, writeClassFolders } from '../../test-support/pipeline';
import { openDataset } from '../dataset-node';
import { datasetParamsSchema } from '../params';
import { decodeImage } from '.';
import { DEFAULT_MAX_PIXELS } from './limits';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid 8-bit gray PNG of `side` x `side` zeros, deflated row by row (never held whole in memory). */
async function pngBomb(side: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(side + 1); // filter byte 0, then the row's pixels
  for (let y = 0; y < side; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit gray, deflate, no filter method, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', new Uint8Array()),
  ]);
}

describe('pixel limit', () => {
  it('refuses a PNG bomb from its header, keeps memory flat, and the rest of the folder loads', async () => {
    const side = Math.ceil(Math.sqrt(DEFAULT_MAX_PIXELS)) + 1000;
    const bomb = await pngBomb(side);
    expect(bomb.length).toBeLessThan(2 * 1024 ** 2);
    const root = join(dir, 'data');
    await writeClassFolders(root, { classes: { a: 4, b: 4 }, size: [16, 16] });
    mkdirSync(join(root, 'a'), { recursive: true });
    writeFileSync(join(root, 'a', 'bomb.png'), bomb);
    const before = process.memoryUsage().rss;

    await expect(decodeImage(join(root, 'a', 'bomb.png'))).rejects.toThrow(
      new RegExp(`declares a ${side}x${side} image \\(\\d+ million pixels\\).*PHI_MAX_PIXELS`),
    );
    const source = await openDataset(root, datasetParamsSchema.parse({ path: root }));
    expect(source.items).toHaveLength(8);
    expect(source.skipped).toEqual([
      { file: 'a/bomb.png', reason: expect.stringMatching(/^cannot read this PNG file: it declares a/) },
    ]);
    for (const item of source.items) await source.load(item);
    // Decoding it would take side² bytes (over 500 MB); nothing near that was allocated.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
  });
});
