/**
 * `compileCustomModule` for `language: 'python'`: the module's process
 * compiles the source with the real interpreter (syntax errors with line and
 * column), runs its top-level code and reports `PARAMS` / `ACCEPTS` /
 * `PRODUCES` as the same declaration the TypeScript path records, so the
 * Parameter tab, validation and cache keys work unchanged. The process stays
 * up to run the samples.
 */
import type { z } from 'zod';
import type { SourceProblem } from '../../api';
import type { CustomModuleInfo } from '../../api/requests';
import type { CompileOptions, CompileResult, CustomModuleNodeType } from '../compile';
import { DeclarationSchema, paramsSchema, type Declaration } from '../declaration';
import { DEFAULT_LIMITS } from '../sandbox/host';
import type { SandboxLimits } from '../sandbox/protocol';
import { fromPython, toPython } from './codec';
import { PythonProcess, pythonInterpreter } from './host';
import { descriptorOf, moduleLabel, returnedSample, sampleFailure } from '../node-type-parts';

/** Compiles a Python module (see the module comment); `sourceHash` comes from the caller. */
export async function compilePythonModule(
  module: CustomModuleInfo,
  sourceHash: string,
  options: CompileOptions,
): Promise<CompileResult> {
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const label = moduleLabel(module);
  const onLog = options.onLog ?? (() => undefined);
  const process = new PythonProcess(
    { source: module.source, filename: `${module.id}.py`, label, interpreter: pythonInterpreter() },
    limits,
    onLog,
  );
  const loaded = await process.start();
  if (!loaded.ok) {
    await process.dispose();
    return {
      ok: false,
      problems: loaded.errors.map(({ message, line, column }) => ({
        line: line ?? 0,
        column: column ?? 0,
        message,
      })),
    };
  }
  let declaration: Declaration;
  let params: z.ZodObject;
  try {
    const parsed = DeclarationSchema.safeParse(loaded.declaration);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${issue.path.join('.')} ${issue.message}`);
    }
    declaration = parsed.data;
    params = paramsSchema(declaration);
  } catch (error) {
    await process.dispose();
    const message = (error as Error).message;
    // paramsSchema names the parameter: point at its line in PARAMS.
    const name = /^Parameter "(\w+)"/.exec(message)?.[1];
    const line = (name && loaded.paramLines[name]) || 0;
    const problem: SourceProblem = { line, column: line ? 1 : 0, message };
    return { ok: false, problems: [problem] };
  }
  const nodeType: CustomModuleNodeType = {
    ...descriptorOf(module, declaration, params, options.version ?? 1, sourceHash),
    async run(sample, values, ctx) {
      const encoded = toPython(sample);
      const reply = await process.run({
        sampleId: sample.id,
        sample: encoded.json,
        arrays: encoded.arrays,
        params: values,
        // From the run's seeded stream, so a module's randomness is reproducible per sample.
        seed: Math.floor(ctx.rng() * 0x1_0000_0000),
        nodeId: ctx.nodeId,
        split: ctx.split,
      });
      if (reply.logs.length > 0) onLog(sample.id, reply.logs, ctx.nodeId);
      if (reply.type === 'run-failed') throw sampleFailure(label, sample.id, reply.error);
      const returned = reply.sample;
      if (returned === null) return null;
      return returnedSample(label, sample, () => fromPython(returned, reply.arrays, module.dims));
    },
    dispose: () => process.dispose(),
    sandboxStats: () => ({ workersStarted: process.processesStarted, pid: process.pid }),
  };
  return { ok: true, nodeType };
}
