/**
 * The parts of a custom module's node type that do not depend on its
 * language: the descriptor the palette and graph validation read, and the
 * wording of a failed sample, so TypeScript and Python modules look and fail
 * alike to the user.
 */
import type { z } from 'zod';
import type { PortSpec, Sample } from '../api';
import type { CustomModuleInfo } from '../api/requests';
import type { CustomModuleNodeType } from './compile';
import type { Declaration } from './declaration';
import { checkReturnedSample } from './sample-codec';

/** The node type's descriptor fields (everything but running and disposing). */
export function descriptorOf(
  module: CustomModuleInfo,
  declaration: Declaration,
  params: z.ZodObject,
  version: number,
  sourceHash: string,
): Omit<CustomModuleNodeType, 'run' | 'dispose' | 'sandboxStats'> {
  const produced = declaration.produces?.colorMode;
  return {
    kind: 'module',
    origin: 'my',
    id: module.id,
    version,
    title: module.title,
    category: module.category,
    description: module.description,
    params,
    accepts: {
      dims: [module.dims === '3d' ? 3 : 2],
      ...(declaration.accepts?.colorModes ? { colorModes: declaration.accepts.colorModes } : {}),
    },
    ...(produced ? { produces: (input: PortSpec): PortSpec => ({ ...input, colorMode: produced }) } : {}),
    sourceHash,
    // Ids and versions are per project: two projects may each have a `my-x` version 1.
    fingerprint: () => sourceHash,
    // The sandbox seeds `ctx.rng` and `Math.random` from the run seed.
    usesRandomness: true,
  };
}

/** How users see a custom module in messages. */
export function moduleLabel(module: CustomModuleInfo): string {
  return `Custom module "${module.title}" (${module.id})`;
}

/** The error of a sample the user's code failed on, with its line (and column) when known. */
export function sampleFailure(
  label: string,
  sampleId: string,
  error: { message: string; line?: number; column?: number },
): Error {
  const { message, line, column } = error;
  const at = line ? ` (line ${line}${column ? `, column ${column}` : ''})` : '';
  return new Error(`${label} failed on sample "${sampleId}": ${message}${at}`);
}

/** The sample the user's code returned, checked against its input; errors name the module and sample. */
export function returnedSample(label: string, input: Sample, decode: () => unknown): Sample {
  try {
    return checkReturnedSample(decode(), input);
  } catch (error) {
    throw new Error(`${label} on sample "${input.id}": ${(error as Error).message}`, { cause: error });
  }
}
