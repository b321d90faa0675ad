/**
 * The graph as rows of the `nodes` and `edges` tables: read (validated with
 * zod), replace, and apply one edit. Callers wrap writes in a transaction;
 * every check here throws before anything is written for that edit.
 */
import type Database from 'better-sqlite3';
import { GraphEditSchema, GraphSchema, type Graph, type GraphEdit, type GraphNode } from '../api/graph';
import { applyGraphEdits, GraphEditRefused } from '../api/graph-edits';
import { ProjectError } from './errors';
import { formatZodIssues } from './zod-issues';

interface NodeRow {
  id: string;
  kind: string;
  type: string;
  version: number;
  params: string;
  x: number;
  y: number;
  label: string | null;
}

interface EdgeRow {
  id: string;
  source: string;
  target: string;
  target_port: string;
}

/** Reads and validates the stored graph; a bad row gives an error naming the node or edge. */
export function readGraph(db: Database.Database, path: string): Graph {
  const nodeRows = db
    .prepare('SELECT id, kind, type, version, params, x, y, label FROM nodes ORDER BY seq, rowid')
    .all() as NodeRow[];
  const edgeRows = db
    .prepare('SELECT id, source, target, target_port FROM edges ORDER BY seq, rowid')
    .all() as EdgeRow[];
  const nodes = nodeRows.map((row) => ({
    id: row.id,
    kind: row.kind,
    type: row.type,
    version: row.version,
    params: parseJson(row.params, path, `node "${row.id}" params`),
    position: { x: row.x, y: row.y },
    ...(row.label === null ? {} : { label: row.label }),
  }));
  const edges = edgeRows.map((row) => ({
    id: row.id,
    source: row.source,
    target: row.target,
    targetPort: row.target_port,
  }));
  const parsed = GraphSchema.safeParse({ nodes, edges });
  if (!parsed.success) {
    throw new ProjectError(
      'invalid-content',
      path,
      `${path}: the saved pipeline is not valid: ${formatZodIssues(parsed.error, { nodes, edges })}`,
    );
  }
  return parsed.data;
}

/** Checks a whole graph before it is stored: shape, unique ids, edges between existing nodes. */
export function checkGraph(graph: unknown, path: string): Graph {
  const parsed = GraphSchema.safeParse(graph);
  if (!parsed.success) {
    throw new ProjectError(
      'invalid-edit',
      path,
      `Pipeline for ${path} is not valid: ${formatZodIssues(parsed.error, graph)}`,
    );
  }
  const nodeIds = new Set<string>();
  for (const node of parsed.data.nodes) {
    if (nodeIds.has(node.id)) throw editError(path, `two nodes have the id "${node.id}"`);
    nodeIds.add(node.id);
  }
  const edgeIds = new Set<string>();
  for (const edge of parsed.data.edges) {
    if (edgeIds.has(edge.id)) throw editError(path, `two edges have the id "${edge.id}"`);
    edgeIds.add(edge.id);
    for (const end of [edge.source, edge.target]) {
      if (!nodeIds.has(end))
        throw editError(path, `edge "${edge.id}" connects node "${end}", which does not exist`);
    }
  }
  return parsed.data;
}

/** Replaces every node and edge (caller holds a transaction); `graph` has passed {@link checkGraph}. */
export function writeGraph(db: Database.Database, graph: Graph): void {
  db.prepare('DELETE FROM edges').run();
  db.prepare('DELETE FROM nodes').run();
  graph.nodes.forEach((node) => insertNode(db, node));
  graph.edges.forEach((edge) => insertEdge(db, edge));
}

/**
 * Checks a batch against the stored graph (docs: api/graph-edits.ts holds the
 * rule) and writes it (caller holds the transaction that makes it atomic).
 */
export function applyEdits(db: Database.Database, raws: readonly unknown[], path: string): void {
  const edits = raws.map((raw, index): GraphEdit => {
    const parsed = GraphEditSchema.safeParse(raw);
    if (!parsed.success)
      throw editError(path, `edit ${index + 1} is malformed: ${formatZodIssues(parsed.error, raw)}`);
    return parsed.data;
  });
  try {
    applyGraphEdits(readGraph(db, path), edits);
  } catch (error) {
    throw error instanceof GraphEditRefused ? editError(path, error.message) : error;
  }
  edits.forEach((edit) => writeEdit(db, edit));
}

/** Writes one edit the graph has been checked to take. */
function writeEdit(db: Database.Database, edit: GraphEdit): void {
  switch (edit.op) {
    case 'add-node':
      insertNode(db, edit.node);
      return;
    case 'remove-node':
      // Edges go with the node (ON DELETE CASCADE); its last result is meaningless without it.
      db.prepare('DELETE FROM nodes WHERE id = ?').run(edit.id);
      db.prepare('DELETE FROM node_results WHERE node = ?').run(edit.id);
      return;
    case 'move-node':
      db.prepare('UPDATE nodes SET x = ?, y = ? WHERE id = ?').run(edit.position.x, edit.position.y, edit.id);
      return;
    case 'set-params':
      db.prepare('UPDATE nodes SET params = ? WHERE id = ?').run(JSON.stringify(edit.params), edit.id);
      return;
    case 'set-label':
      db.prepare('UPDATE nodes SET label = ? WHERE id = ?').run(edit.label, edit.id);
      return;
    case 'add-edge':
      insertEdge(db, edit.edge);
      return;
    case 'remove-edge':
      db.prepare('DELETE FROM edges WHERE id = ?').run(edit.id);
      return;
  }
}

/** True when the graph holds a node with this id. */
export function hasNode(db: Database.Database, id: string): boolean {
  return db.prepare('SELECT 1 FROM nodes WHERE id = ?').get(id) !== undefined;
}

function insertNode(db: Database.Database, node: GraphNode): void {
  db.prepare(
    `INSERT INTO nodes (id, seq, kind, type, version, params, x, y, label)
     VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM nodes), ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    node.id,
    node.kind,
    node.type,
    node.version,
    JSON.stringify(node.params),
    node.position.x,
    node.position.y,
    node.label ?? null,
  );
}

function insertEdge(db: Database.Database, edge: Graph['edges'][number]): void {
  db.prepare(
    `INSERT INTO edges (id, seq, source, target, target_port)
     VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM edges), ?, ?, ?)`,
  ).run(edge.id, edge.source, edge.target, edge.targetPort);
}

function editError(path: string, detail: string): ProjectError {
  return new ProjectError('invalid-edit', path, `Cannot change ${path}: ${detail}; nothing was changed`);
}

function parseJson(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ProjectError('invalid-content', path, `${path}: ${what} are not valid JSON`, { cause });
  }
}
