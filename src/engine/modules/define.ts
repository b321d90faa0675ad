/**
 * `defineModule`: the one way to declare an image-processing module
 * (docs/design.md section 4). Built-in and user-made modules use it alike; the
 * palette, the Parameter tab and validation are generated from it.
 */
import type { z } from 'zod';
import type { ModuleNodeType } from '../graph/node-type';

/** Declaration of a module; `kind` is implied. */
export type ModuleDeclaration<P extends z.ZodObject> = Omit<ModuleNodeType<P>, 'kind'>;

/** Declares a per-sample module; `run` receives params typed from the zod schema. */
export function defineModule<P extends z.ZodObject>(declaration: ModuleDeclaration<P>): ModuleNodeType<P> {
  return { kind: 'module', origin: 'builtin', ...declaration };
}
