/**
 * Serializable descriptions of node types, generated from the engine's
 * declarations (defineModule and friends). The palette, the Parameter tab and
 * connection validation in every front end are built from these.
 */
import type { NodeKind } from './graph';
import type { ColorMode, Task } from './sample';

/**
 * JSON Schema of a node type's params, produced by `z.toJSONSchema` from the
 * zod object the node type declares. `description` texts are the tooltips;
 * `minimum`/`maximum`/`enum`/`default` drive the form fields.
 */
export type ParamJsonSchema = Record<string, unknown>;

/** What a module accepts on its input(s). Absent fields accept anything. */
export interface AcceptSpec {
  colorModes?: ColorMode[];
  dims?: (2 | 3)[];
}

/**
 * Options whose fitting values depend on the task (a network node's
 * architecture and watched metrics). Declared once in the engine
 * (`src/engine/nn/task-options.ts`); front ends filter their choices by it.
 */
export interface TaskOptions {
  /** Per param name, per task: the values that fit; any other value is refused. */
  choices: Record<string, Partial<Record<Task, unknown[]>>>;
  /** Per task: the metrics a tuning search may optimise, as `split.metric`. */
  metrics: Record<Task, string[]>;
  /** Readable names of the params in `choices`, for messages. */
  labels?: Record<string, string>;
}

/** A node type as the UI and validators see it. */
export interface NodeTypeDescriptor {
  id: string;
  kind: NodeKind;
  version: number;
  title: string;
  category: string;
  description: string;
  /** `builtin` for shipped types, `my` for user-made ones (the palette's "My" tag). */
  origin: 'builtin' | 'my';
  /** Input port names, in order; empty for dataset nodes. */
  inputs: string[];
  accepts: AcceptSpec;
  params: ParamJsonSchema;
  /** Network nodes: the params' values and metrics that fit each task. */
  taskOptions?: TaskOptions;
  /** Params a choice of another param sets (a window preset sets center and width). */
  presets?: ParamPresets;
}

/**
 * Values one param's choices set on other params: `values[choice][param]`. A
 * choice absent from `values` (e.g. `custom`) leaves those params to the user.
 * The engine applies them; the Parameter tab shows them, read-only, so the
 * fields never say something other than what runs.
 */
export interface ParamPresets {
  param: string;
  values: Record<string, Record<string, number | string | boolean>>;
}
