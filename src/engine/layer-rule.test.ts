/** The layer rule of docs/design.md section 1 is enforced by `npm run lint`: a wrong import fails. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer rule', () => {
  it('refuses electron and react in the engine', async () => {
    expect(
      await problems('src/engine/run/probe.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toContainEqual(expect.stringMatching(/no-restricted-imports/));
    expect(
      await problems('src/engine/graph/probe.ts', "import React from 'react';\nexport const r = React;\n"),
    ).toContainEqual(expect.stringMatching(/no-restricted-imports/));
  });

  it('lets the renderer import engine/api types only', async () => {
    const ok = "import type { Sample } from '../engine/api';\nexport type S = Sample;\n";
    expect(await problems('src/renderer/probe.ts', ok)).toEqual([]);
    const bad = "import { OutputCache } from '../engine/run/cache';\nexport const c = OutputCache;\n";
    expect(await problems('src/renderer/probe.ts', bad)).toContainEqual(
      expect.stringMatching(/no-restricted-imports/),
    );
  });

  it('keeps engine/api free of the rest of the engine', async () => {
    const bad = "import { OutputCache } from '../run/cache';\nexport const c = OutputCache;\n";
    expect(await problems('src/engine/api/probe.ts', bad)).toContainEqual(
      expect.stringMatching(/no-restricted-imports/),
    );
  });
});
