/**
 * Custom module logic of the renderer: the id the wizard derives from a name
 * is one the engine's own pattern accepts, wizard refusals per field, compile
 * problems as editor marker ranges, and which snapshot issues raise the trust
 * banner.
 */
import { describe, expect, it } from 'vitest';
import { CustomModuleInfoSchema, untrustedCodeMessage } from '../../engine/api';
import {
  editorLanguage,
  markersOf,
  moduleIdFromTitle,
  untrustedIssues,
  wizardErrors,
  type WizardValues,
} from './custom-modules';

const values: WizardValues = {
  title: 'HU window',
  id: 'my-hu-window',
  category: 'My modules',
  modality: 'CT',
  dims: '2d',
  description: '',
  language: 'typescript',
};

describe('wizard', () => {
  it('derives ids the engine accepts from any name', () => {
    const cases: [string, string][] = [
      ['HU window (soft tissue)', 'my-hu-window-soft-tissue'],
      ['  Café   Ünsharp ', 'my-cafe-unsharp'],
      ['My Denoise', 'my-denoise'],
      ['2D → 3D', 'my-2d-3d'],
      ['!!!', 'my-module'],
      ['폐 분할', 'my-module'],
    ];
    for (const [title, id] of cases) {
      expect(moduleIdFromTitle(title)).toBe(id);
      // The engine's own zod schema is the judge of the pattern.
      expect(CustomModuleInfoSchema.shape.id.safeParse(id).success).toBe(true);
    }
    expect(moduleIdFromTitle('x'.repeat(100)).length).toBeLessThanOrEqual(60);
  });

  it('refuses an empty name, a bad or taken id, an empty category', () => {
    expect(wizardErrors(values, [])).toEqual({});
    expect(wizardErrors({ ...values, title: ' ' }, []).title).toMatch(/name/);
    expect(wizardErrors({ ...values, id: 'hu-window' }, []).id).toMatch(/starting with "my-"/);
    expect(wizardErrors({ ...values, id: 'my-HU' }, []).id).toMatch(/Lower-case/);
    expect(wizardErrors(values, ['my-hu-window']).id).toMatch(/taken/);
    expect(wizardErrors({ ...values, category: '' }, []).category).toMatch(/category/);
  });
});

describe('editor markers', () => {
  const source = ['const a = 1;', '  const out = new Float32Array(n;', ''].join('\n');

  it('spans the word at the problem column, clamped into the source', () => {
    expect(markersOf([{ line: 2, column: 9, message: 'x' }], source)).toEqual([
      { startLineNumber: 2, startColumn: 9, endLineNumber: 2, endColumn: 12, message: 'x' },
    ]);
    // Column at the ';' (33) covers one character; a column past the end stops after the
    // last character (34); lines past the end go to the last line.
    expect(markersOf([{ line: 2, column: 33, message: 'y' }], source)[0]).toMatchObject({
      startColumn: 33,
      endColumn: 34,
    });
    expect(markersOf([{ line: 2, column: 80, message: 'y' }], source)[0]).toMatchObject({
      startColumn: 34,
      endColumn: 35,
    });
    expect(markersOf([{ line: 40, column: 1, message: 'z' }], source)[0]).toMatchObject({
      startLineNumber: 3,
      startColumn: 1,
      endColumn: 2,
    });
    expect(markersOf([{ line: 0, column: 0, message: 'w' }], source)[0]).toMatchObject({
      startLineNumber: 1,
      startColumn: 1,
      endColumn: 6,
    });
  });
});

describe('editor language', () => {
  it('opens Python modules in python mode under a .py path, TypeScript ones as before', () => {
    expect(editorLanguage({ id: 'my-gain', language: 'python' })).toEqual({
      language: 'python',
      uri: 'file:///my-gain.py',
    });
    expect(editorLanguage({ id: 'my-gain', language: 'typescript' })).toEqual({
      language: 'typescript',
      uri: 'file:///my-gain.ts',
    });
  });
});

describe('trust banner', () => {
  it('shows for the engine message about untrusted custom code only', () => {
    const issues = [
      {
        severity: 'error' as const,
        node: 'my-gain-1',
        message: untrustedCodeMessage(['Gain']),
      },
      { severity: 'error' as const, node: 'resize', message: 'Unknown module type "x"' },
    ];
    expect(untrustedIssues(issues).map((i) => i.node)).toEqual(['my-gain-1']);
  });
});
