/**
 * The engine's side of one Python module: a long-lived `python` child process
 * (not one per sample) that loads the module once and then runs one sample at
 * a time over framed stdin/stdout. Its stderr (warnings, C-level output,
 * anything not printed with `print`) goes to the engine log line by line. A
 * sample past the time limit gets the process killed; the next sample starts
 * a fresh one. Python cannot be sandboxed in the language: only trusted code
 * gets here, and it runs in the OS box of sandbox/confine.ts where there is one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PixelArray, Split } from '../../api';
import { confinedCommand, confinement, SCRATCH_DIR } from '../sandbox/confine';
import { SandboxStoppedError } from '../sandbox/host';
import type { SandboxError, SandboxLimits } from '../sandbox/protocol';
import { encodeFrame, FrameReader, type Frame } from './frames';
import { RUNNER_SOURCE } from './runner-source';

/** Time the interpreter may take to start and import numpy, on top of the module's load limit. */
const STARTUP_MS = 15_000;
/** stderr lines kept to explain a process that died. */
const TAIL_LINES = 20;

/** The interpreter: `PHI_PYTHON`, else `python3` (`python` on Windows). */
export function pythonInterpreter(env: NodeJS.ProcessEnv = process.env): string {
  return env.PHI_PYTHON?.trim() || (process.platform === 'win32' ? 'python' : 'python3');
}

/** The problem every "no usable interpreter" case starts with. */
export function needPython(interpreter: string, why: string): string {
  return `Python custom modules need python3 with numpy (set PHI_PYTHON to an interpreter that has it; tried "${interpreter}": ${why})`;
}

/** What the process runs. */
export interface PythonSpec {
  source: string;
  /** Name of the module in tracebacks, e.g. `my-hu-window.py`. */
  filename: string;
  /** E.g. `Custom module "HU window" (my-hu-window)`. */
  label: string;
  interpreter: string;
}

/** The module loaded: its declaration (checked by the engine), or its problems. */
export type PythonLoadOutcome =
  | { ok: true; declaration: unknown; paramLines: Record<string, number> }
  | { ok: false; errors: SandboxError[] };

/** One sample for the process: its JSON form with `{ __phiArray: i }` markers, and the arrays. */
export interface PythonRunInput {
  sampleId: string;
  sample: unknown;
  arrays: { array: PixelArray; shape: number[] }[];
  params: unknown;
  seed: number;
  nodeId: string;
  split?: Split;
}

/** The process's answer for one sample. */
export type PythonReply =
  | { type: 'result'; sample: unknown; arrays: { array: PixelArray; shape: number[] }[]; logs: string[] }
  | { type: 'run-failed'; error: SandboxError; logs: string[] };

interface Child {
  process: ChildProcessWithoutNullStreams;
  /** Resolves with each frame in turn. */
  waiters: ((frame: Frame | Error) => void)[];
  tail: string[];
  gone: boolean;
  /** The process has exited and its stdio is read to the end. */
  closed: boolean;
}

/** One Python module's process; see the module comment. */
export class PythonProcess {
  private child: Child | undefined;
  private ready: Promise<PythonLoadOutcome> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private started = 0;
  private disposed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The sample in progress, so stderr lines are logged against it. */
  private current = { sampleId: '', nodeId: '' };

  constructor(
    private readonly spec: PythonSpec,
    private readonly limits: SandboxLimits,
    /** stderr lines and load-time print output, with the sample and node they came with ('' while loading). */
    private readonly onLog: (sampleId: string, lines: string[], nodeId: string) => void = () => undefined,
  ) {}

  /** Processes started so far (a killed one is replaced on the next sample). */
  get processesStarted(): number {
    return this.started;
  }

  /** The running process's id, if one runs. */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /** Starts the process if none runs and loads the module. */
  start(): Promise<PythonLoadOutcome> {
    if (this.disposed) return Promise.reject(new SandboxStoppedError(`${this.spec.label} has been removed`));
    this.ready ??= this.spawn();
    return this.ready;
  }

  /** Runs one sample; samples are queued, one at a time per module. */
  run(input: PythonRunInput): Promise<PythonReply> {
    const task = this.queue.then(() => this.runNow(input));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Stops the process for good (its output read to the end); later runs fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    this.stop();
    if (child && child.process.pid !== undefined && !child.closed)
      await new Promise((resolve) => child.process.once('close', resolve));
  }

  private async spawn(): Promise<PythonLoadOutcome> {
    const { interpreter } = this.spec;
    // A wrapped command cannot report ENOENT itself: look the interpreter up first.
    if (!findExecutable(interpreter))
      return { ok: false, errors: [{ message: needPython(interpreter, 'not found') }] };
    // The same memory cap and OS box as the TypeScript sandbox (sandbox/confine.ts).
    const confined = confinedCommand(interpreter, ['-u', '-c', RUNNER_SOURCE], {
      memoryMb: this.limits.heapMb + this.limits.memoryMb,
    });
    const proc = spawn(confined.command, confined.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONIOENCODING: 'utf-8',
        PYTHONDONTWRITEBYTECODE: '1',
        ...(confinement().isolated ? { TMPDIR: SCRATCH_DIR } : {}),
      },
      windowsHide: true,
    });
    const child: Child = { process: proc, waiters: [], tail: [], gone: false, closed: false };
    proc.on('close', () => (child.closed = true));
    this.child = child;
    this.started++;
    const reader = new FrameReader();
    const fail = (error: Error) => {
      child.gone = true;
      for (const waiter of child.waiters.splice(0)) waiter(error);
    };
    proc.stdout.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (error) {
        proc.kill('SIGKILL');
        fail(new Error(`bad reply from the Python process (${(error as Error).message})`));
        return;
      }
      for (const frame of frames) child.waiters.shift()?.(frame);
    });
    createInterface({ input: proc.stderr }).on('line', (line) => {
      child.tail.push(line);
      if (child.tail.length > TAIL_LINES) child.tail.shift();
      this.onLog(this.current.sampleId, [line], this.current.nodeId);
    });
    proc.on('error', (error: NodeJS.ErrnoException) => {
      fail(new Error(needPython(interpreter, error.code === 'ENOENT' ? 'not found' : error.message)));
    });
    proc.on('exit', (code, signal) => {
      if (this.child === child) this.stop();
      const report = () => {
        const tail = child.tail.length ? `: ${child.tail.slice(-5).join(' | ')}` : '';
        fail(new Error(`the Python process ended (${signal ?? `exit code ${code}`})${tail}`));
      };
      // Wait for stderr to be read to the end (its last lines say why), but not for a
      // subprocess of the module that inherited it.
      const drained = setTimeout(report, 200);
      proc.once('close', () => {
        clearTimeout(drained);
        report();
      });
    });
    proc.stdin.on('error', () => undefined); // a dead process: its 'exit' reports it
    const timeout = STARTUP_MS + this.limits.loadTimeoutMs;
    this.write(child, { type: 'load', source: this.spec.source, filename: this.spec.filename });
    let frame: Frame;
    try {
      frame = await this.next(
        child,
        timeout,
        () =>
          `the module's top-level code ran longer than ${Math.round(timeout / 1000)} s (an endless loop outside run()?)`,
      );
    } catch (error) {
      this.stop();
      return { ok: false, errors: [{ message: (error as Error).message }] };
    }
    const header = frame.header;
    if (Array.isArray(header.logs) && header.logs.length > 0) this.onLog('', header.logs.map(String), '');
    if (header.type === 'loaded') {
      this.idle(child);
      return {
        ok: true,
        declaration: header.declaration,
        paramLines: (header.paramLines ?? {}) as Record<string, number>,
      };
    }
    this.stop();
    if (header.type === 'no-numpy')
      return { ok: false, errors: [{ message: needPython(interpreter, String(header.message)) }] };
    return {
      ok: false,
      errors: (header.errors as SandboxError[] | undefined) ?? [{ message: 'load failed' }],
    };
  }

  private async runNow(input: PythonRunInput): Promise<PythonReply> {
    clearTimeout(this.idleTimer);
    const loaded = await this.start();
    if (!loaded.ok)
      throw new SandboxStoppedError(
        `${this.spec.label} cannot start: ${loaded.errors[0]?.message ?? 'load failed'}`,
      );
    const child = this.child;
    if (!child || child.gone) throw new SandboxStoppedError(`${this.spec.label} stopped while starting`);
    clearTimeout(this.idleTimer);
    this.ref(child, true);
    this.current = { sampleId: input.sampleId, nodeId: input.nodeId };
    const seq = ++this.seq;
    const { timeoutMs } = this.limits;
    try {
      this.write(
        child,
        {
          type: 'run',
          seq,
          sample: input.sample,
          params: input.params,
          seed: input.seed,
          nodeId: input.nodeId,
          split: input.split,
        },
        input.arrays,
      );
      const frame = await this.next(
        child,
        timeoutMs,
        () =>
          `${this.spec.label} took longer than ${formatSeconds(timeoutMs)} on sample "${input.sampleId}" and was stopped (an endless loop?); it restarts for the next sample`,
      ).catch((error: Error) => {
        this.stop();
        throw error instanceof SandboxStoppedError
          ? error
          : new SandboxStoppedError(`${this.spec.label} on sample "${input.sampleId}": ${error.message}`);
      });
      const header = frame.header;
      const logs = Array.isArray(header.logs) ? header.logs.map(String) : [];
      if (header.type === 'run-failed')
        return { type: 'run-failed', error: header.error as SandboxError, logs };
      const shapes = (header.arrays ?? []).map((a) => a.shape);
      return {
        type: 'result',
        sample: header.sample,
        arrays: frame.arrays.map((array, i) => ({ array, shape: shapes[i] })),
        logs,
      };
    } finally {
      this.current = { sampleId: '', nodeId: '' };
      if (this.child === child) {
        this.ref(child, false);
        this.idle(child);
      }
    }
  }

  /** The next frame of `child`, or a SandboxStoppedError (with `late()`'s text) after `ms`. */
  private next(child: Child, ms: number, late: () => string): Promise<Frame> {
    if (child.gone) return Promise.reject(new Error('the Python process has ended'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.process.kill('SIGKILL');
        const index = child.waiters.indexOf(settle);
        if (index >= 0) child.waiters.splice(index, 1);
        reject(new SandboxStoppedError(late()));
      }, ms);
      const settle = (frame: Frame | Error) => {
        clearTimeout(timer);
        if (frame instanceof Error) reject(frame);
        else resolve(frame);
      };
      child.waiters.push(settle);
    });
  }

  private write(child: Child, header: Record<string, unknown>, arrays?: PythonRunInput['arrays']): void {
    for (const part of encodeFrame(header, arrays)) child.process.stdin.write(part);
  }

  /** A running sample keeps the engine alive; an idle process does not (so `phi run` exits). */
  private ref(child: Child, on: boolean): void {
    const method = on ? 'ref' : 'unref';
    child.process[method]();
    for (const stream of [child.process.stdin, child.process.stdout, child.process.stderr])
      (stream as unknown as { ref?: () => void; unref?: () => void })[method]?.();
  }

  /** Stops `child` once it has been idle for `idleMs`. */
  private idle(child: Child): void {
    this.ref(child, false);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.child === child) this.stop();
    }, this.limits.idleMs);
    this.idleTimer.unref();
  }

  /** Forgets the running process (the next sample starts a new one). */
  private stop(): void {
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child && child.process.exitCode === null && child.process.signalCode === null)
      child.process.kill('SIGKILL');
  }
}

/** Whether `command` (a path, or a name looked up in PATH) is an existing file. */
function findExecutable(command: string): boolean {
  if (command.includes('/') || command.includes('\\')) return existsSync(command);
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir && extensions.some((ext) => existsSync(join(dir, command + ext))));
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}
