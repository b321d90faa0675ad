/**
 * `npm run bench -- NAME [args]` runs bench/NAME.ts; without a name it lists
 * the benchmarks. Each prints its figures as ratios against a baseline
 * measured in the same run.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.log(`Usage: npm run bench -- <${names.join('|')}> [args]`);
  process.exitCode = name ? 2 : 0;
} else {
  process.argv = [process.argv[0], join(here, `${name}.ts`), ...rest];
  await import(pathToFileURL(join(here, `${name}.ts`)).href);
}
