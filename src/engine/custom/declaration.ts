/**
 * The declaration a custom module's code makes with `defineModule({...})`, as
 * the sandbox reports it (JSON, untrusted: checked here), and the real zod
 * params schema the engine builds from it for the Parameter tab, validation
 * and cache keys.
 */
import { z } from 'zod';

const ParamBase = {
  description: z.string().max(2000).optional(),
  optional: z.boolean().optional(),
};

/** One parameter as the sandbox's `z` builder records it (a JSON-Schema subset). */
export const ParamDefSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.enum(['number', 'integer']),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    default: z.number().optional(),
    ...ParamBase,
  }),
  z.object({ type: z.literal('boolean'), default: z.boolean().optional(), ...ParamBase }),
  z.object({
    type: z.literal('string'),
    enum: z.array(z.string()).min(1).optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    default: z.string().optional(),
    ...ParamBase,
  }),
]);
/** See {@link ParamDefSchema}. */
export type ParamDef = z.infer<typeof ParamDefSchema>;

/** What `defineModule` declared, besides `run` (which stays in the sandbox). */
export const DeclarationSchema = z.object({
  params: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'parameter names are letters, digits and "_"'),
    ParamDefSchema,
  ),
  accepts: z
    .object({
      colorModes: z
        .array(z.enum(['grayscale', 'rgb']))
        .min(1)
        .optional(),
    })
    .optional(),
  produces: z.object({ colorMode: z.enum(['grayscale', 'rgb']).optional() }).optional(),
});
/** See {@link DeclarationSchema}. */
export type Declaration = z.infer<typeof DeclarationSchema>;

function paramSchema(name: string, def: ParamDef): z.ZodType {
  let schema: z.ZodType;
  if (def.type === 'boolean') schema = z.boolean();
  else if (def.type === 'string') {
    if (def.enum) schema = z.enum(def.enum as [string, ...string[]]);
    else {
      let s = z.string();
      if (def.minLength !== undefined) s = s.min(def.minLength);
      if (def.maxLength !== undefined) s = s.max(def.maxLength);
      schema = s;
    }
  } else {
    let n = def.type === 'integer' ? z.int() : z.number();
    if (def.minimum !== undefined) n = n.min(def.minimum);
    if (def.maximum !== undefined) n = n.max(def.maximum);
    schema = n;
  }
  if (def.description) schema = schema.describe(def.description);
  if (def.default !== undefined) {
    const check = schema.safeParse(def.default);
    if (!check.success)
      throw new Error(
        `Parameter "${name}": the default ${JSON.stringify(def.default)} ${check.error.issues[0].message}`,
      );
    schema = schema.default(def.default as never);
  } else if (def.optional) schema = schema.optional();
  else throw new Error(`Parameter "${name}" needs .default(value): the value a new node starts with`);
  return schema;
}

/** The zod params object of a declaration; throws naming the parameter whose default breaks its bounds. */
export function paramsSchema(declaration: Declaration): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, def] of Object.entries(declaration.params)) shape[name] = paramSchema(name, def);
  return z.object(shape);
}
