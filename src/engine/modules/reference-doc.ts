/**
 * The generated part of docs/modules.md: one section per built-in module made
 * from its declaration (id, title, category, description, accepts, params
 * with types, defaults, bounds and `.describe()` texts), so the page cannot
 * drift from the code. `node bin/run-ts.mjs tools/modules-doc.ts` rewrites it.
 */
import { describeNodeType } from '../graph/registry';
import type { ModuleNodeType } from '../graph/node-type';

/** Markers around the generated block in docs/modules.md. */
export const DOC_START = '<!-- generated:modules:start (node bin/run-ts.mjs tools/modules-doc.ts) -->';
/** See {@link DOC_START}. */
export const DOC_END = '<!-- generated:modules:end -->';

interface PropSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  items?: PropSchema;
}

function typeOf(p: PropSchema): string {
  // Joined with a plain '|': cell() escapes it for the table.
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (p.type === 'array') return `list of ${p.items?.type ?? 'values'}`;
  return p.type ?? 'any';
}

function bounds(p: PropSchema): string {
  if (p.minimum === undefined && p.maximum === undefined) return '';
  return `${p.minimum ?? '-inf'} .. ${p.maximum ?? 'inf'}`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown of every module, grouped by category in palette order. */
export function modulesMarkdown(modules: ModuleNodeType[]): string {
  const lines: string[] = [];
  const categories = [...new Set(modules.map((m) => m.category))];
  lines.push(
    `${modules.length} modules. Parameter names and module ids are stable: projects and scripts save them.`,
    '',
  );
  for (const cat of categories) {
    lines.push(`### ${cat}`, '');
    for (const m of modules.filter((x) => x.category === cat)) {
      const d = describeNodeType(m);
      lines.push(`#### ${m.title} — \`${m.id}\` (version ${m.version})`, '', m.description, '');
      const extra: string[] = [];
      if (d.accepts.colorModes) extra.push(`accepts ${d.accepts.colorModes.join(', ')} only`);
      if (d.accepts.dims) extra.push(`${d.accepts.dims.map((n) => `${n}-D`).join(' or ')} images only`);
      if (d.inputs.length > 1) extra.push(`inputs: ${d.inputs.map((i) => `\`${i}\``).join(', ')}`);
      if (extra.length) lines.push(`_${extra.join('; ')}._`, '');
      const props = Object.entries(
        (d.params as { properties?: Record<string, PropSchema> }).properties ?? {},
      );
      if (!props.length) {
        lines.push('No parameters.', '');
        continue;
      }
      lines.push('| param | type | default | bounds | description |', '|---|---|---|---|---|');
      for (const [name, p] of props)
        lines.push(
          `| \`${name}\` | ${cell(typeOf(p))} | ${cell(JSON.stringify(p.default))} | ${bounds(p)} | ${cell(p.description ?? '')} |`,
        );
      lines.push('');
    }
  }
  return lines.join('\n');
}

/** Replaces the generated block of a page (or appends one when the markers are missing). */
export function spliceGenerated(page: string, generated: string): string {
  const block = `${DOC_START}\n\n${generated}\n${DOC_END}`;
  const a = page.indexOf(DOC_START);
  const b = page.indexOf(DOC_END);
  if (a < 0 || b < 0) return `${page.trimEnd()}\n\n${block}\n`;
  return page.slice(0, a) + block + page.slice(b + DOC_END.length);
}
