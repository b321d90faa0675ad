/**
 * Saved nodes brought to their type's current version when a project is
 * opened (docs/design.md section 8, "Node versions and migrations"): each
 * version step's migration rewrites the params, the node is stored with the
 * new version, and the user is told what changed. A node saved by a newer
 * version than this engine knows refuses the project, because its params may
 * mean something this version cannot read.
 */
import type Database from 'better-sqlite3';
import type { GraphNode, NodeUpgrade } from '../api';
import type { AnyNodeType } from '../graph/node-type';
import { ProjectError } from './errors';
import { readGraph } from './graph-table';

/** Finds the node type a saved node names (the registry's `get`). */
export type NodeTypeLookup = (id: string) => AnyNodeType | undefined;

/** Why a saved node cannot be read by this version, or undefined when it can. */
export function tooNew(node: GraphNode, type: AnyNodeType): string | undefined {
  if (node.version <= type.version) return undefined;
  return `node "${node.id}" (${type.title}) was saved by a newer Phi Studio (${type.id} version ${node.version}; this one reads up to version ${type.version}): update Phi Studio to open it`;
}

/** One node at its type's version: the migrated params and what changed (nothing when it is current). */
export function upgradeNode(
  node: GraphNode,
  type: AnyNodeType,
): { params: Record<string, unknown>; upgrade?: NodeUpgrade } {
  let params = node.params;
  if (node.version >= type.version) return { params };
  const changes: string[] = [];
  for (let from = node.version; from < type.version; from++) {
    const step = type.migrations?.find((m) => m.from === from);
    if (!step) continue;
    params = step.up(params);
    changes.push(step.description);
  }
  return { params, upgrade: { node: node.id, type: type.id, from: node.version, to: type.version, changes } };
}

/** The log line that tells the user about one upgraded node. */
export function describeUpgrade(upgrade: NodeUpgrade): string {
  const what = upgrade.changes.length > 0 ? upgrade.changes.join('; ') : 'same parameters, newer computation';
  return `Node "${upgrade.node}" (${upgrade.type}) was saved by version ${upgrade.from} and is now version ${upgrade.to}: ${what}`;
}

/**
 * Upgrades every saved node of a built-in type that is older than its type,
 * in one transaction. Nodes of unknown types are left to graph validation;
 * custom modules keep their own source versions. Nothing is written when one
 * node is too new.
 */
export function upgradeStoredNodes(
  db: Database.Database,
  path: string,
  lookup: NodeTypeLookup,
): NodeUpgrade[] {
  const updates: { id: string; version: number; params: Record<string, unknown> }[] = [];
  const upgrades: NodeUpgrade[] = [];
  for (const node of readGraph(db, path).nodes) {
    const type = lookup(node.type);
    if (!type || type.origin === 'my') continue;
    const refused = tooNew(node, type);
    if (refused) throw new ProjectError('too-new', path, `${path}: ${refused}`);
    const { params, upgrade } = upgradeNode(node, type);
    if (!upgrade) continue;
    updates.push({ id: node.id, version: type.version, params });
    upgrades.push(upgrade);
  }
  if (updates.length > 0) {
    const write = db.prepare('UPDATE nodes SET version = ?, params = ? WHERE id = ?');
    db.transaction(() => {
      for (const u of updates) write.run(u.version, JSON.stringify(u.params), u.id);
    }).immediate();
  }
  return upgrades;
}
