/**
 * The engine's side of one custom module's sandbox: a Node process of its own
 * (sandbox/worker-entry.ts) under Node's permission model and the OS box of
 * sandbox/confine.ts, which evaluates the module once and then runs one
 * sample at a time. A sample that runs past the time limit or exhausts the
 * process's memory gets the process killed; the next sample starts a fresh one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PixelArray, Split } from '../../api';
import { sandboxSources, type SandboxSources } from './bundle';
import { confinedCommand } from './confine';
import {
  parseFromSandbox,
  type InitMessage,
  type ResultMessage,
  type RunFailedMessage,
  type RunMessage,
  type SandboxError,
  type SandboxLimits,
} from './protocol';

/** Time a fresh process may take to start, before the module's own load time limit starts. */
const STARTUP_MS = 10_000;
/** stderr lines kept to explain a process that died. */
const TAIL_LINES = 20;

/** Default limits; docs/custom-modules.md gives the reasons. */
export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  loadTimeoutMs: 5_000,
  heapMb: 512,
  memoryMb: 4096,
  idleMs: 5 * 60_000,
};

/** What the sandbox runs: the compiled module and how errors name it. */
export interface SandboxSpec {
  code: string;
  map: string;
  filename: string;
  /** E.g. `Custom module "HU window" (my-hu-window)`. */
  label: string;
}

/** The module was evaluated: its declaration JSON, or the error of its top-level code. */
export type LoadOutcome = { ok: true; declaration: string } | { ok: false; error: SandboxError };

/** One sample for the sandbox. */
export interface SandboxRunInput {
  sampleId: string;
  sample: string;
  arrays: PixelArray[];
  params: string;
  seed: number;
  nodeId: string;
  split?: Split;
}

/** Thrown when the sandbox had to be stopped (time, memory, crash) or is gone. */
export class SandboxStoppedError extends Error {
  override name = 'SandboxStoppedError';
}

/** Node's words for an allocation the OS limit refused (a typed array, a Buffer, a big string). */
const ALLOCATION_FAILED = /Array buffer allocation failed|Invalid typed array length|out of memory/i;
/** What a process killed by V8's heap limit prints last. */
const HEAP_EXHAUSTED = /heap out of memory|Reached heap limit/i;

/** The command line of a sandbox process: Node with every permission withheld. */
function sandboxCommand(script: string, limits: SandboxLimits): { command: string; args: string[] } {
  const node = [
    // Nothing on disk, no child processes, no workers, no addons, no WASI: no --allow-* flag.
    '--experimental-permission',
    // No eval or new Function even in the process's own realm, should the vm context leak it.
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${limits.heapMb}`,
    `--max-semi-space-size=${Math.min(32, Math.max(4, Math.floor(limits.heapMb / 16)))}`,
    '--no-warnings',
    '-e',
    script,
  ];
  return confinedCommand(process.execPath, node, { memoryMb: limits.heapMb + limits.memoryMb });
}

/** The environment of a sandbox process: nothing of the engine's. */
function sandboxEnv(): NodeJS.ProcessEnv {
  // Under Electron, process.execPath is the app: this makes it a plain Node.
  return process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
}

interface Current {
  seq: number;
  sampleId: string;
  settle(outcome: { message?: ResultMessage | RunFailedMessage; error?: Error }): void;
}

interface Child {
  process: ChildProcess;
  tail: string[];
}

/** One module's sandbox process; see the module comment. */
export class Sandbox {
  private child: Child | undefined;
  private ready: Promise<LoadOutcome> | undefined;
  private current: Current | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private disposed = false;
  private started = 0;
  private peakKb = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: SandboxSpec,
    private readonly limits: SandboxLimits = DEFAULT_LIMITS,
    /** Where the process and prelude scripts come from (tests load them from a given build). */
    private readonly sources: () => Promise<SandboxSources> = sandboxSources,
  ) {}

  /** Processes started so far (a stopped one is replaced by a new one on the next sample). */
  get workersStarted(): number {
    return this.started;
  }

  /** The running process's id, if one is running. */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /** Peak resident memory of the latest sandbox process, as it last reported it, MB. */
  get peakRssMb(): number {
    return Math.round(this.peakKb / 1024);
  }

  /** Starts the process if none runs and evaluates the module. */
  start(): Promise<LoadOutcome> {
    if (this.disposed) return Promise.reject(new SandboxStoppedError(`${this.spec.label} has been removed`));
    this.ready ??= this.spawn().catch((error: unknown) => {
      // A process that could not even be created (bundle failed...): let the next sample try again.
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Runs one sample; samples are queued, one at a time per module. */
  run(input: SandboxRunInput): Promise<ResultMessage | RunFailedMessage> {
    const task = this.queue.then(() => this.runNow(input));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Stops the process for good (and waits until it is gone); later runs fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    this.stop();
    this.current?.settle({ error: new SandboxStoppedError(`${this.spec.label} has been removed`) });
    const running = child?.process.pid !== undefined && child.process.exitCode === null;
    if (child && running && child.process.signalCode === null)
      await new Promise((resolve) => child.process.once('exit', resolve));
  }

  private async spawn(): Promise<LoadOutcome> {
    const { worker: script, prelude } = await this.sources();
    if (this.disposed) throw new SandboxStoppedError(`${this.spec.label} has been removed`);
    const { command, args } = sandboxCommand(script, this.limits);
    const proc = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: sandboxEnv(),
      windowsHide: true,
    });
    const child: Child = { process: proc, tail: [] };
    this.child = child;
    this.started++;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => {
      child.tail.push(...text.split('\n').filter(Boolean));
      child.tail.splice(0, Math.max(0, child.tail.length - TAIL_LINES));
    });
    const init: InitMessage = {
      type: 'init',
      prelude,
      code: this.spec.code,
      map: this.spec.map,
      filename: this.spec.filename,
    };
    proc.send(init);
    return new Promise<LoadOutcome>((resolve) => {
      let loaded = false;
      const failLoad = (message: string) => {
        clearTimeout(timer);
        this.stopChild(child);
        resolve({ ok: false, error: { message } });
      };
      let timer = setTimeout(
        () => failLoad(`${this.spec.label} did not start within ${Math.round(STARTUP_MS / 1000)} s`),
        STARTUP_MS,
      );
      proc.on('message', (raw: unknown) => {
        const message = parseFromSandbox(raw);
        if (!message) {
          // Only code that escaped the vm context sends something else.
          const error = 'sent a message the engine does not accept and was stopped';
          if (!loaded) failLoad(`The module ${error}`);
          else this.current?.settle({ error: new SandboxStoppedError(`${this.spec.label} ${error}`) });
          this.stopChild(child);
          return;
        }
        if (message.type !== 'evaluating') this.peakKb = message.peakRssKb;
        if (message.type === 'evaluating') {
          if (loaded) return;
          clearTimeout(timer);
          timer = setTimeout(
            () =>
              failLoad(
                `The module's top-level code ran longer than ${this.limits.loadTimeoutMs / 1000} s (an endless loop outside run()?)`,
              ),
            this.limits.loadTimeoutMs,
          );
        } else if (message.type === 'loaded' || message.type === 'load-failed') {
          if (loaded) return;
          clearTimeout(timer);
          loaded = true;
          if (message.type === 'loaded') {
            this.idle(child);
            resolve({ ok: true, declaration: message.declaration });
          } else {
            this.stopChild(child);
            resolve({ ok: false, error: this.loadError(message.error) });
          }
        } else if (this.current && message.seq === this.current.seq) this.current.settle({ message });
      });
      proc.on('error', (error) => {
        if (!loaded) failLoad(`The sandbox process could not start (${error.message})`);
      });
      proc.on('exit', (code, signal) => {
        const why = this.exitReason(child, code, signal);
        if (!loaded) failLoad(`The module's top-level code ${why} and was stopped`);
        if (this.child === child) {
          this.current?.settle({
            error: new SandboxStoppedError(
              `${this.spec.label} ${why} on sample "${this.current.sampleId}" and was stopped`,
            ),
          });
          this.stop();
        }
      });
    });
  }

  /** Why a process ended, in the words of the limit it hit ("... and was stopped" follows). */
  private exitReason(child: Child, code: number | null, signal: NodeJS.Signals | null): string {
    const tail = child.tail.join('\n');
    if (HEAP_EXHAUSTED.test(tail))
      return `ran out of memory (more than ${this.limits.heapMb} MB of JavaScript heap)`;
    if (ALLOCATION_FAILED.test(tail)) return `used more than ${this.limits.memoryMb} MB of memory`;
    return `ended (${signal ?? `exit code ${code}`}; calling process.exit() is not allowed)`;
  }

  /** A load error, with an allocation the OS refused said as the memory limit. */
  private loadError(error: SandboxError): SandboxError {
    if (!ALLOCATION_FAILED.test(error.message)) return error;
    return {
      ...error,
      message: `The module's top-level code used more than ${this.limits.memoryMb} MB of memory (${error.message})`,
    };
  }

  private async runNow(input: SandboxRunInput): Promise<ResultMessage | RunFailedMessage> {
    clearTimeout(this.idleTimer);
    const loaded = await this.start();
    if (!loaded.ok) throw new SandboxStoppedError(`${this.spec.label} cannot start: ${loaded.error.message}`);
    const child = this.child;
    if (!child) throw new SandboxStoppedError(`${this.spec.label} stopped while starting`);
    clearTimeout(this.idleTimer);
    const seq = ++this.seq;
    const { timeoutMs, memoryMb } = this.limits;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stopChild(child);
        current.settle({
          error: new SandboxStoppedError(
            `${this.spec.label} took longer than ${formatSeconds(timeoutMs)} on sample "${input.sampleId}" and was stopped (an endless loop?); it restarts for the next sample`,
          ),
        });
      }, timeoutMs);
      const current: Current = {
        seq,
        sampleId: input.sampleId,
        settle: ({ message, error }) => {
          if (this.current !== current) return;
          this.current = undefined;
          clearTimeout(timer);
          if (message?.type === 'run-failed' && ALLOCATION_FAILED.test(message.error.message)) {
            // The OS refused an allocation: a fresh process for the next sample, whatever the module kept.
            this.stopChild(child);
            reject(
              new SandboxStoppedError(
                `${this.spec.label} used more than ${memoryMb} MB of memory on sample "${input.sampleId}" and was stopped`,
              ),
            );
            return;
          }
          if (this.child === child) this.idle(child);
          if (message) resolve(message);
          else reject(error ?? new SandboxStoppedError(`${this.spec.label} stopped`));
        },
      };
      this.current = current;
      this.ref(child, true);
      const message: RunMessage = {
        type: 'run',
        seq,
        sample: input.sample,
        arrays: input.arrays,
        params: input.params,
        seed: input.seed,
        nodeId: input.nodeId,
        split: input.split,
      };
      child.process.send(message);
    });
  }

  /** A running sample keeps the engine alive; an idle process does not (so `phi run` exits). */
  private ref(child: Child, on: boolean): void {
    const method = on ? 'ref' : 'unref';
    child.process[method]();
    const channel = (child.process as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    channel?.[method]();
    (child.process.stderr as unknown as { ref?: () => void; unref?: () => void } | null)?.[method]?.();
  }

  /** Stops `child` once it has been idle for `idleMs` (a timer that does not keep the engine alive). */
  private idle(child: Child): void {
    this.ref(child, false);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.child === child && !this.current) this.stop();
    }, this.limits.idleMs);
    this.idleTimer.unref();
  }

  /** Forgets the running process (the next sample starts a new one). */
  private stop(): void {
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child) kill(child);
  }

  private stopChild(child: Child): void {
    if (this.child === child) this.stop();
    else kill(child);
  }
}

function kill(child: Child): void {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}
