/**
 * The Files tab: every data item at the selected node (id, split, label,
 * shape, dtype, colour mode, modality, state), as a virtualized table (only
 * visible rows exist in the DOM; pages are fetched with `listFiles` as they
 * scroll into view), sortable by column and filtered by text.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { FileState } from '../../engine/api';
import { formatColorMode, formatShape } from '../stores/format';
import { useWorkbench } from './context';
import { Icon } from './icons';

const ROW = 26;
const PAGE = 200;

/** Columns: key (sent as `sortBy`), header, width. */
const COLUMNS: { key: keyof FileState; title: string; width: string }[] = [
  { key: 'id', title: 'ID', width: 'minmax(180px, 3fr)' },
  { key: 'split', title: 'Split', width: '90px' },
  { key: 'label', title: 'Label', width: 'minmax(90px, 1fr)' },
  { key: 'shape', title: 'Shape', width: '140px' },
  { key: 'dtype', title: 'Dtype', width: '80px' },
  { key: 'colorMode', title: 'Color mode', width: '100px' },
  { key: 'modality', title: 'Modality', width: '90px' },
  { key: 'state', title: 'State', width: 'minmax(80px, 1.5fr)' },
];
const GRID = COLUMNS.map((c) => c.width).join(' ');

/** Which rows to render for a scroll position (with a few rows of overscan). */
export function visibleRange(
  scrollTop: number,
  height: number,
  total: number,
  row = ROW,
  overscan = 8,
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / row) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + height) / row) + overscan);
  return [first, last];
}

function cell(item: FileState, key: keyof FileState): string {
  // A skipped file was never read: it has no shape, type or colour to show.
  if (item.state === 'skipped' && (key === 'shape' || key === 'colorMode' || key === 'dtype')) return '';
  switch (key) {
    case 'shape':
      return formatShape(item.shape);
    case 'colorMode':
      return formatColorMode(item.colorMode);
    case 'state':
      return item.error ? `${item.state}: ${item.error}` : item.state;
    default:
      return String(item[key] ?? '');
  }
}

const FilesTable = observer(function FilesTable({ node }: { node: string }) {
  const wb = useWorkbench();
  const [sortBy, setSortBy] = useState<keyof FileState | undefined>(undefined);
  const [descending, setDescending] = useState(false);
  const [filter, setFilter] = useState('');
  const [query, setQuery] = useState('');
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pages, setPages] = useState(() => new Map<number, FileState[]>());
  const [scroll, setScroll] = useState({ top: 0, height: 300 });
  const body = useRef<HTMLDivElement>(null);
  const loading = useRef(new Set<number>());
  const version = wb.filesVersion.get(node) ?? 0;
  const state = wb.status.get(node)?.state;

  useEffect(() => {
    const t = setTimeout(() => setQuery(filter), 200);
    return () => clearTimeout(t);
  }, [filter]);

  // A new node, order, filter or file state starts from an empty cache.
  const generation = `${node}|${sortBy}|${descending}|${query}|${version}|${state}|${wb.runSerial}`;
  const current = useRef(generation);
  useEffect(() => {
    current.current = generation;
    loading.current.clear();
    setPages(new Map());
    setTotal(null);
    setError(null);
  }, [generation]);

  const loadPage = useCallback(
    (page: number) => {
      if (loading.current.has(page)) return;
      loading.current.add(page);
      const asked = current.current;
      wb.api
        .listFiles({ node, offset: page * PAGE, limit: PAGE, sortBy, descending, filter: query || undefined })
        .then(
          (result) => {
            if (current.current !== asked) return;
            setTotal(result.total);
            setPages((p) => new Map(p).set(page, result.items));
          },
          (e: unknown) => {
            if (current.current !== asked) return;
            setError(e instanceof Error ? e.message : String(e));
            setTotal(0);
          },
        );
    },
    [wb, node, sortBy, descending, query],
  );

  const [first, last] = visibleRange(scroll.top, scroll.height, total ?? PAGE);
  useEffect(() => {
    for (let page = Math.floor(first / PAGE); page <= Math.floor(Math.max(first, last - 1) / PAGE); page++) {
      if (!pages.has(page)) loadPage(page);
    }
  }, [first, last, pages, loadPage]);

  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const rows: { index: number; item?: FileState }[] = [];
  for (let i = first; i < Math.min(last, total ?? 0); i++)
    rows.push({ index: i, item: pages.get(Math.floor(i / PAGE))?.[i % PAGE] });

  return (
    <div className="files">
      <div className="tab-toolbar">
        <div className="palette-search compact">
          <Icon name="search" size={14} />
          <input
            type="search"
            placeholder="Filter by id, label or split"
            aria-label="Filter files"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
        <span className="muted" data-testid="files-total">
          {total === null ? 'Loading…' : `${total} item${total === 1 ? '' : 's'}`}
        </span>
      </div>
      <div className="table" role="table" aria-label="Files" aria-rowcount={(total ?? 0) + 1}>
        <div className="table-head" role="row" style={{ gridTemplateColumns: GRID }}>
          {COLUMNS.map((c) => (
            <button
              key={c.key}
              type="button"
              role="columnheader"
              aria-sort={sortBy === c.key ? (descending ? 'descending' : 'ascending') : 'none'}
              className="th"
              onClick={() => {
                if (sortBy === c.key) setDescending((d) => !d);
                else {
                  setSortBy(c.key);
                  setDescending(false);
                }
              }}
              title={`Sort by ${c.title.toLowerCase()}`}
            >
              {c.title}
              <span className="sort-mark" aria-hidden="true">
                {sortBy === c.key ? (descending ? '▼' : '▲') : ''}
              </span>
            </button>
          ))}
        </div>
        <div
          className="table-body"
          ref={body}
          onScroll={(e) =>
            setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })
          }
        >
          {error && <div className="empty">{error}</div>}
          {!error && total === 0 && (
            <div className="empty">No items yet at this node: run it to list its files.</div>
          )}
          <div style={{ height: (total ?? 0) * ROW, position: 'relative' }}>
            {rows.map(({ index, item }) => (
              <div
                key={index}
                role="row"
                aria-rowindex={index + 2}
                className={`tr${item?.state === 'failed' ? ' failed' : ''}`}
                style={{ gridTemplateColumns: GRID, transform: `translateY(${index * ROW}px)`, height: ROW }}
              >
                {COLUMNS.map((c) => (
                  <div
                    key={c.key}
                    role="cell"
                    className={`td${c.key === 'shape' || c.key === 'dtype' ? ' mono' : ''}`}
                    title={item ? cell(item, c.key) : ''}
                  >
                    {item ? cell(item, c.key) : ''}
                  </div>
                ))}
              </div>
            ))}
          </div>
        </div>
      </div>
    </div>
  );
});

function FilesTabView() {
  const wb = useWorkbench();
  const node = wb.selectedNode ?? wb.graph.nodes.find((n) => n.kind === 'dataset');
  if (!node) return <div className="empty">Select a module to see the state of its files.</div>;
  // A network node's files are its input's.
  const target =
    node.kind === 'network' ? (wb.graph.edges.find((e) => e.target === node.id)?.source ?? node.id) : node.id;
  return <FilesTable key={target} node={target} />;
}

/** See the module comment. */
export const FilesTab = observer(FilesTabView);
