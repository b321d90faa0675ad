/**
 * bench/executor: 1,000 and 5,000 generated 512x512 RGB PNGs through
 * Dataset -> Resize 256 -> Color to Grayscale. Each size runs in its own child
 * process so that its peak RSS (getrusage maxrss) is its own; prints images/s,
 * peak RSS, and the RSS ratio 5,000 vs 1,000 (memory must not grow with count).
 *
 * Usage: node bin/run-ts.mjs bench/executor.ts [--sizes 1000,5000] [--keep DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ProjectStore } from '../src/engine/store/project-store';
import { Engine } from '../src/engine/service/engine';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { GraphBuilder } from '../src/engine/test-support/pipeline';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000' },
    keep: { type: 'string' },
    child: { type: 'string' },
    root: { type: 'string' },
  },
});

/** Writes `count` distinct 512x512 RGB PNGs in two class folders (several encodes in flight). */
async function generate(root: string, count: number): Promise<void> {
  const have = existsSync(root)
    ? readdirSync(join(root, 'a')).length + readdirSync(join(root, 'b')).length
    : 0;
  if (have >= count) return;
  for (const c of ['a', 'b']) mkdirSync(join(root, c), { recursive: true });
  const base = Buffer.alloc(512 * 512 * 3);
  for (let i = 0; i < base.length; i++) base[i] = (i * 7919) % 251;
  const jobs: Promise<unknown>[] = [];
  for (let i = have; i < count; i++) {
    const image = Buffer.from(base);
    image.fill(i % 256, (i % 400) * 1536, (i % 400) * 1536 + 50_000);
    jobs.push(
      sharp(image, { raw: { width: 512, height: 512, channels: 3 } })
        .png({ compressionLevel: 1 })
        .toFile(join(root, i % 2 ? 'a' : 'b', `img-${String(i).padStart(5, '0')}.png`)),
    );
    if (jobs.length >= 8) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
}

/** Child: runs the pipeline once on `root`, prints JSON {seconds, images, maxRssMb}. */
async function child(root: string): Promise<void> {
  const work = join(root, '..', `run-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const registry = createBuiltinRegistry();
  const path = join(work, 'bench.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: root, splitByPatient: false }],
        ['resize', 'resize', { width: 256, height: 256, interpolation: 'bilinear' }],
        ['gray', 'color-to-grayscale'],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(work, 'cache'), registry });
  await engine.openProject({ path });
  const started = performance.now();
  const result = await engine.run({ mode: 'all' });
  const seconds = (performance.now() - started) / 1000;
  engine.closeProject();
  rmSync(work, { recursive: true, force: true });
  const count = readdirSync(join(root, 'a')).length + readdirSync(join(root, 'b')).length;
  console.log(
    JSON.stringify({
      status: result.status,
      seconds,
      images: count,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function parent(): Promise<void> {
  const sizes = (values.sizes ?? '1000,5000').split(',').map(Number);
  const base = values.keep ? resolve(values.keep) : join(tmpdir(), 'phi-bench-executor');
  const rows: { count: number; seconds: number; perSecond: number; maxRssMb: number }[] = [];
  for (const count of sizes) {
    const root = join(base, `n${count}`);
    process.stdout.write(`generating ${count} PNGs... `);
    await generate(root, count);
    process.stdout.write('running... ');
    const out = execFileSync(
      process.execPath,
      [resolve('bin/run-ts.mjs'), resolve('bench/executor.ts'), '--child', '1', '--root', root],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as {
      status: string;
      seconds: number;
      images: number;
      maxRssMb: number;
    };
    if (result.status !== 'done') throw new Error(`run of ${count} images ended ${result.status}`);
    rows.push({
      count,
      seconds: result.seconds,
      perSecond: result.images / result.seconds,
      maxRssMb: result.maxRssMb,
    });
    console.log('done');
  }
  console.log('\nbench/executor: Dataset -> Resize 256x256 -> Color to Grayscale, 512x512 RGB PNGs');
  for (const row of rows) {
    console.log(
      `  ${String(row.count).padStart(5)} images: ${row.perSecond.toFixed(1)} images/s (${row.seconds.toFixed(1)} s), peak RSS ${row.maxRssMb.toFixed(0)} MB`,
    );
  }
  if (rows.length >= 2) {
    const ratio = rows.at(-1)!.maxRssMb / rows[0].maxRssMb;
    console.log(
      `  peak RSS ratio ${rows.at(-1)!.count} vs ${rows[0].count}: ${ratio.toFixed(2)} (1.00 = flat; memory must not grow with count)`,
    );
  }
  if (!values.keep) rmSync(base, { recursive: true, force: true });
}

if (values.child) await child(resolve(values.root as string));
else await parent();
