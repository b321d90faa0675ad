/**
 * Regenerates the module reference in docs/modules.md from the declarations:
 *   node bin/run-ts.mjs tools/modules-doc.ts          (rewrite)
 *   node bin/run-ts.mjs tools/modules-doc.ts --check  (exit 1 when out of date)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from '../src/engine/modules';
import { modulesMarkdown, spliceGenerated } from '../src/engine/modules/reference-doc';

const page = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'modules.md');
const before = readFileSync(page, 'utf8');
const after = spliceGenerated(before, modulesMarkdown(builtinModules));
if (process.argv.includes('--check')) {
  if (before !== after) {
    console.error('docs/modules.md is out of date: run node bin/run-ts.mjs tools/modules-doc.ts');
    process.exitCode = 1;
  } else console.log('docs/modules.md is up to date');
} else {
  writeFileSync(page, after);
  console.log(`wrote ${builtinModules.length} modules to docs/modules.md`);
}
