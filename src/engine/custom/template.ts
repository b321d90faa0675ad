/**
 * The starting source of a new custom module (the wizard's answers filled in,
 * the input/output plumbing written, a marked body to fill in) and the type
 * declarations the code editor needs. Both texts live in resources/templates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CustomModuleInfo } from '../api/requests';
import { resourcesDir } from '../resources';

/** Folder of the module templates inside the app. */
export const TEMPLATES_DIR = resourcesDir('templates');

const templateTexts = new Map<string, string>();
let typingsText: string | undefined;

/** One line of text safe inside a `//` or `#` comment. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The full source of a new module in its language: plumbing written, a marked body to fill in. */
export function customModuleTemplate(info: Omit<CustomModuleInfo, 'source'>): string {
  const python = info.language === 'python';
  const file = python ? 'custom-module.py.txt' : 'custom-module.ts.txt';
  let templateText = templateTexts.get(file);
  if (templateText === undefined) {
    templateText = readFileSync(join(TEMPLATES_DIR, file), 'utf8');
    templateTexts.set(file, templateText);
  }
  const comment = python ? '#' : '//';
  const description = info.description.trim()
    ? info.description
        .trim()
        .split(/\r\n|[\n\r\u2028\u2029]/)
        .map((line) => `${comment} ${line}`.trimEnd())
        .join('\n')
    : `${comment} (No description yet: say what the module does and for which images.)`;
  const shape =
    info.dims === '3d' ? ['depth', 'height', 'width', 'channels'] : ['height', 'width', 'channels'];
  const values: Record<string, string> = {
    title: oneLine(info.title),
    id: info.id,
    category: oneLine(info.category),
    modality: oneLine(info.modality),
    dimsText: info.dims === '3d' ? '3-D volumes' : '2-D images',
    shape: python ? `(${shape.join(', ')})` : `[${shape.join(', ')}]`,
    description,
  };
  return templateText.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}

/** Type declarations of the sandbox's globals, for the code editor (Monaco `addExtraLib`). */
export function customModuleTypings(): string {
  typingsText ??= readFileSync(join(TEMPLATES_DIR, 'custom-module.d.ts.txt'), 'utf8');
  return typingsText;
}
