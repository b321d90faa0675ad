/**
 * The module palette, generated from the engine's node types: grouped by
 * kind and category, searchable, user-made types tagged "My". Entries drag
 * onto the canvas; Enter or double-click adds one beside the last node
 * (keyboard users need no drag).
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { NodeTypeDescriptor } from '../../engine/api';
import { categoryColor } from './colors';
import { useWorkbench } from './context';
import { NODE_TYPE_MIME } from './FlowCanvas';
import { Icon } from './icons';

const KIND_ORDER: Record<string, number> = { dataset: 0, module: 1, network: 2 };
const KIND_TITLE: Record<string, string> = {
  dataset: 'Datasets',
  module: 'Image processing',
  network: 'Neural networks',
};

/** Palette groups: `[group title, types]`, datasets first, networks last, categories alphabetical. */
export function groupNodeTypes(
  types: NodeTypeDescriptor[],
  query: string,
  onlyMine: boolean,
): [string, NodeTypeDescriptor[]][] {
  const q = query.trim().toLowerCase();
  const groups = new Map<string, NodeTypeDescriptor[]>();
  const sorted = [...types].sort(
    (a, b) =>
      (KIND_ORDER[a.kind] ?? 1) - (KIND_ORDER[b.kind] ?? 1) ||
      a.category.localeCompare(b.category) ||
      a.title.localeCompare(b.title),
  );
  for (const type of sorted) {
    if (onlyMine && type.origin !== 'my') continue;
    if (q && !`${type.title} ${type.category} ${type.description} ${type.id}`.toLowerCase().includes(q))
      continue;
    const group = type.kind === 'module' ? type.category : (KIND_TITLE[type.kind] ?? type.kind);
    groups.set(group, [...(groups.get(group) ?? []), type]);
  }
  return [...groups];
}

function PaletteView() {
  const wb = useWorkbench();
  const [query, setQuery] = useState('');
  const [onlyMine, setOnlyMine] = useState(false);
  const groups = groupNodeTypes(wb.info?.nodeTypes ?? [], query, onlyMine);

  const addBeside = (typeId: string) => {
    const nodes = wb.graph.nodes;
    const right = nodes.reduce((best, n) => (n.position.x > best.x ? n.position : best), { x: -280, y: 80 });
    void wb.addNode(typeId, { x: right.x + 280, y: right.y });
  };

  return (
    <aside className="palette" aria-label="Module palette">
      <div className="panel-title">Modules</div>
      <div className="palette-actions">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => wb.customModules.openWizard()}
          title="Write an image-processing module of your own"
        >
          <Icon name="plus" size={14} />
          New module
        </button>
        <button type="button" className="btn btn-small" onClick={() => wb.customModules.openList()}>
          My modules…
        </button>
      </div>
      <div className="palette-search">
        <Icon name="search" size={14} />
        <input
          type="search"
          placeholder="Search modules"
          aria-label="Search modules"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <label className="palette-filter">
        <input type="checkbox" checked={onlyMine} onChange={(e) => setOnlyMine(e.target.checked)} />
        Only <span className="tag-my">My</span> modules
      </label>
      <div className="palette-list" role="list">
        {groups.length === 0 && <div className="empty">{wb.info ? 'No module matches.' : 'Loading…'}</div>}
        {groups.map(([group, types]) => (
          <section key={group} className="palette-group" aria-label={group}>
            <h3>{group}</h3>
            {types.map((type) => (
              <div
                key={type.id}
                role="listitem"
                className="palette-item"
                draggable
                tabIndex={0}
                data-testid={`palette-${type.id}`}
                aria-label={`${type.title}: drag onto the canvas, or press Enter to add`}
                title={type.description}
                style={{ ['--accent' as string]: categoryColor(type.kind, type.category) }}
                onDragStart={(e) => {
                  e.dataTransfer.setData(NODE_TYPE_MIME, type.id);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => addBeside(type.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') addBeside(type.id);
                }}
              >
                <span className="palette-swatch" aria-hidden="true" />
                <span className="palette-item-title">{type.title}</span>
                {type.origin === 'my' && <span className="tag-my">My</span>}
              </div>
            ))}
          </section>
        ))}
      </div>
    </aside>
  );
}

/** See the module comment. */
export const Palette = observer(PaletteView);
