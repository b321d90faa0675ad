import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinModules } from './index';
import { DOC_END, DOC_START, modulesMarkdown, spliceGenerated } from './reference-doc';

describe('generated module reference', () => {
  it('docs/modules.md holds the reference generated from the current declarations', () => {
    const page = readFileSync(fileURLToPath(new URL('../../../docs/modules.md', import.meta.url)), 'utf8');
    // If this fails: node bin/run-ts.mjs tools/modules-doc.ts
    expect(spliceGenerated(page, modulesMarkdown(builtinModules))).toBe(page);
  });
  it('lists every module id and param with its description', () => {
    const md = modulesMarkdown(builtinModules);
    for (const m of builtinModules) {
      expect(md).toContain(`\`${m.id}\``);
      for (const key of Object.keys(m.params.shape)) expect(md).toContain(`| \`${key}\` |`);
    }
    expect(md).toContain(
      '| `interpolation` | `nearest` \\| `bilinear` \\| `bicubic` \\| `area` | "bilinear" |',
    );
  });
  it('replaces only the block between the markers', () => {
    const page = `# T\n\nkept\n\n${DOC_START}\nold\n${DOC_END}\n\ntail\n`;
    expect(spliceGenerated(page, 'new')).toBe(`# T\n\nkept\n\n${DOC_START}\n\nnew\n${DOC_END}\n\ntail\n`);
  });
});
