/**
 * Writes every built-in network at its default options to
 * resources/networks/<id>.json: `node bin/run-ts.mjs src/engine/nn/networks/export-specs.ts`.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHITECTURES } from './builtin';

const dir = join(process.cwd(), 'resources', 'networks');
mkdirSync(dir, { recursive: true });
for (const [id, make] of Object.entries(ARCHITECTURES)) {
  writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(make(), null, 1)}\n`);
  console.log(`wrote resources/networks/${id}.json`);
}
