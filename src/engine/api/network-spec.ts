/**
 * A network spec: a versioned JSON DAG of layers from the catalogue. The layer
 * builder edits it (and checks JSON with this schema before opening it); built-in
 * networks ship as specs in resources/networks.
 * String param values starting with `$` (e.g. `"$classes"`) are filled in at
 * compile time from the data (number of classes, output channels).
 */
import { z } from 'zod';
import { TASKS } from './sample';

/** The current spec format version; older specs are migrated on load. */
export const SPEC_VERSION = 1;

/** One layer of a spec. */
export const LayerNodeSchema = z.object({
  id: z.string().min(1).describe('Unique layer name within the spec'),
  type: z.string().min(1).describe('Layer type from the catalogue, e.g. Conv2D'),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Ids of the layers feeding this one, in order. */
  inputs: z.array(z.string()).default([]),
});
/** See {@link LayerNodeSchema}. */
export type LayerNode = z.infer<typeof LayerNodeSchema>;

/** A whole network. */
export const NetworkSpecSchema = z.object({
  format: z.literal('phi-network'),
  version: z.number().int().positive(),
  name: z.string(),
  task: z.enum(TASKS),
  description: z.string().default(''),
  layers: z.array(LayerNodeSchema).min(2),
  /** Id of the output layer. */
  output: z.string(),
  /** Downsampling factor of a detection head's grid relative to the input (CenterNet). */
  outputStride: z.number().int().positive().optional(),
});
/** See {@link NetworkSpecSchema}. */
export type NetworkSpec = z.infer<typeof NetworkSpecSchema>;

/**
 * What of a spec decides the model it trains: everything but its name and
 * description, which people may change without retraining.
 */
export function trainedContent(spec: unknown): unknown {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return spec;
  const { name: _name, description: _description, ...rest } = spec as Record<string, unknown>;
  return rest;
}

/** Parses and validates a spec (from JSON), with a readable error. */
export function parseSpec(json: unknown): NetworkSpec {
  const r = NetworkSpecSchema.safeParse(json);
  if (!r.success) throw new Error(`Invalid network spec: ${z.prettifyError(r.error)}`);
  if (r.data.version > SPEC_VERSION)
    throw new Error(
      `Network spec version ${r.data.version} is newer than this Phi Studio supports (${SPEC_VERSION})`,
    );
  return r.data;
}

/** A spec as written (defaults may be left out): what the layer builder makes. */
export type NetworkSpecInput = z.input<typeof NetworkSpecSchema>;
