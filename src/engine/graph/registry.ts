/**
 * The registry of node types: built-ins are registered at start, custom
 * modules when a project that holds them is trusted. Descriptors for front
 * ends are generated here from the zod declarations.
 */
import { z } from 'zod';
import type { NodeTypeDescriptor } from '../api';
import type { AnyNodeType } from './node-type';

/** A set of node types keyed by id. */
export class NodeTypeRegistry {
  private readonly types = new Map<string, AnyNodeType>();

  /** Adds node types; an id registered twice is a programming error. */
  register(...types: AnyNodeType[]): this {
    for (const type of types) {
      if (this.types.has(type.id)) throw new Error(`Node type "${type.id}" is registered twice`);
      this.types.set(type.id, type);
    }
    return this;
  }

  /** Replaces or adds a node type (custom modules edited by the user). */
  upsert(type: AnyNodeType): void {
    this.types.set(type.id, type);
  }

  /** Removes a node type (a deleted or untrusted custom module); returns it. */
  remove(id: string): AnyNodeType | undefined {
    const type = this.types.get(id);
    this.types.delete(id);
    return type;
  }

  get(id: string): AnyNodeType | undefined {
    return this.types.get(id);
  }

  all(): AnyNodeType[] {
    return [...this.types.values()];
  }

  /** Serializable descriptions for front ends. */
  describe(): NodeTypeDescriptor[] {
    return this.all().map(describeNodeType);
  }
}

/** The serializable form of one node type. */
export function describeNodeType(type: AnyNodeType): NodeTypeDescriptor {
  return {
    id: type.id,
    kind: type.kind,
    version: type.version,
    title: type.title,
    category: type.category,
    description: type.description,
    origin: type.origin ?? 'builtin',
    inputs: type.kind === 'dataset' ? [] : type.kind === 'module' ? (type.inputs ?? ['in']) : ['in'],
    accepts: type.kind === 'dataset' ? {} : (type.accepts ?? {}),
    params: z.toJSONSchema(type.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    ...(type.kind === 'network' && type.taskOptions ? { taskOptions: type.taskOptions } : {}),
    ...(type.presets ? { presets: type.presets } : {}),
  };
}
