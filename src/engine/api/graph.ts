/**
 * The pipeline graph as it crosses process boundaries and is saved in a
 * project: zod schemas are the single source, the types are inferred.
 */
import { z } from 'zod';
import { boundedText, LIMITS, ParamsRecordSchema } from './limits';

const NameSchema = boundedText(LIMITS.nameChars);

/** The three kinds of node a pipeline holds. */
export const NodeKindSchema = z.enum(['dataset', 'module', 'network']);
/** See {@link NodeKindSchema}. */
export type NodeKind = z.infer<typeof NodeKindSchema>;

/** One node of a saved pipeline: which node type, at which version, with which params. */
export const GraphNodeSchema = z.object({
  id: NameSchema.min(1),
  kind: NodeKindSchema,
  /** Node type id from the registry, e.g. `resize`, `dataset`, `network`. */
  type: NameSchema.min(1),
  /** The node type's version when the node was saved. */
  version: z.number().int().nonnegative(),
  params: ParamsRecordSchema,
  position: z.object({ x: z.number(), y: z.number() }),
  /** Optional user-given title shown instead of the type's title. */
  label: boundedText(LIMITS.labelChars).optional(),
});
/** See {@link GraphNodeSchema}. */
export type GraphNode = z.infer<typeof GraphNodeSchema>;

/** A connection from a node's output to a named input port of another node. */
export const GraphEdgeSchema = z.object({
  id: NameSchema.min(1),
  source: NameSchema.min(1),
  target: NameSchema.min(1),
  /** Input port name on the target; modules with one input use `in`. */
  targetPort: NameSchema.min(1).default('in'),
});
/** See {@link GraphEdgeSchema}. */
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

/** A whole pipeline. */
export const GraphSchema = z.object({
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
});
/** See {@link GraphSchema}. */
export type Graph = z.infer<typeof GraphSchema>;

/** One edit of the graph; a list of them is applied in one transaction. */
export const GraphEditSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-node'), node: GraphNodeSchema }),
  z.object({ op: z.literal('remove-node'), id: z.string() }),
  z.object({
    op: z.literal('move-node'),
    id: z.string(),
    position: z.object({ x: z.number(), y: z.number() }),
  }),
  z.object({
    op: z.literal('set-params'),
    id: z.string(),
    /** The node's params as the sender wants them (only fields that differ from `previous` change). */
    params: ParamsRecordSchema,
    /**
     * The params the sender saw when it made the edit. With it, only the fields it changed are
     * written, and a field someone else changed meanwhile refuses the edit (params-merge.ts).
     * Without it, the fields given are written over the current ones.
     */
    previous: ParamsRecordSchema.optional(),
  }),
  z.object({
    op: z.literal('set-label'),
    id: z.string(),
    label: boundedText(LIMITS.labelChars),
    /** The label the sender saw ('' for none); with it, a label changed meanwhile refuses the edit. */
    previous: boundedText(LIMITS.labelChars).optional(),
  }),
  z.object({ op: z.literal('add-edge'), edge: GraphEdgeSchema }),
  z.object({ op: z.literal('remove-edge'), id: z.string() }),
]);
/** See {@link GraphEditSchema}. */
export type GraphEdit = z.infer<typeof GraphEditSchema>;

/** What flows along an edge, as far as it is known before running. */
export interface PortSpec {
  colorMode: 'grayscale' | 'rgb' | 'unknown';
  dims: 2 | 3 | 'unknown';
}

/** A problem found by graph validation, naming the node (and edge) and the reason. */
export interface GraphIssue {
  severity: 'error' | 'warning';
  node?: string;
  edge?: string;
  message: string;
}
