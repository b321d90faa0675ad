/**
 * The engine's side of one custom module's sandbox: a `worker_threads` Worker
 * that evaluates the module once and then runs one sample at a time. A sample
 * that runs past the time limit, or makes the process grow past the memory
 * limit, gets its worker terminated; the next sample starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { PixelArray, Split } from '../../api';
import { sandboxSources, type SandboxSources } from './bundle';
import type {
  FromWorker,
  ResultMessage,
  RunFailedMessage,
  RunMessage,
  SandboxError,
  SandboxLimits,
  SandboxWorkerData,
} from './protocol';

const MB = 1024 * 1024;
/** Time a fresh worker may take to start, on top of the module's own load time limit. */
const STARTUP_MS = 10_000;
/** How often the memory watchdog looks at the process's resident size while a sample runs. */
const WATCH_MS = 20;

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

interface Current {
  seq: number;
  sampleId: string;
  settle(outcome: { message?: ResultMessage | RunFailedMessage; error?: Error }): void;
}

/** One module's sandbox worker; see the module comment. */
export class Sandbox {
  private worker: Worker | undefined;
  private ready: Promise<LoadOutcome> | undefined;
  private current: Current | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private disposed = false;
  private started = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: SandboxSpec,
    private readonly limits: SandboxLimits = DEFAULT_LIMITS,
    /** Where the worker and prelude scripts come from (tests load them from a given build). */
    private readonly sources: () => Promise<SandboxSources> = sandboxSources,
  ) {}

  /** Workers started so far (a stopped worker is replaced by a new one on the next sample). */
  get workersStarted(): number {
    return this.started;
  }

  /** The running worker's thread id, if one is running. */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Starts the worker if none runs and evaluates the module. */
  start(): Promise<LoadOutcome> {
    if (this.disposed) return Promise.reject(new SandboxStoppedError(`${this.spec.label} has been removed`));
    this.ready ??= this.spawn().catch((error: unknown) => {
      // A worker that could not even be created (bundle failed...): let the next sample try again.
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

  /** Stops the worker for good; later runs fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.stop();
    this.current?.settle({ error: new SandboxStoppedError(`${this.spec.label} has been removed`) });
    await worker?.terminate();
  }

  private async spawn(): Promise<LoadOutcome> {
    const { worker: workerCode, prelude } = await this.sources();
    if (this.disposed) throw new SandboxStoppedError(`${this.spec.label} has been removed`);
    const workerData: SandboxWorkerData = {
      prelude,
      code: this.spec.code,
      map: this.spec.map,
      filename: this.spec.filename,
      loadTimeoutMs: this.limits.loadTimeoutMs,
    };
    const worker = new Worker(workerCode, {
      eval: true,
      workerData,
      // Nothing of the engine's environment or command line is the module's business.
      env: {},
      argv: [],
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: {
        maxOldGenerationSizeMb: this.limits.heapMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(this.limits.heapMb / 8))),
        stackSizeMb: 4,
      },
    });
    this.worker = worker;
    this.started++;
    return new Promise<LoadOutcome>((resolve) => {
      let loaded = false;
      const timer = setTimeout(() => {
        this.stopWorker(worker);
        resolve({
          ok: false,
          error: {
            message: `${this.spec.label} did not start within ${Math.round((STARTUP_MS + this.limits.loadTimeoutMs) / 1000)} s`,
          },
        });
      }, STARTUP_MS + this.limits.loadTimeoutMs);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'loaded' || message.type === 'load-failed') {
          clearTimeout(timer);
          loaded = true;
          if (message.type === 'loaded') {
            worker.unref();
            this.idle(worker);
            resolve({ ok: true, declaration: message.declaration });
          } else {
            this.stopWorker(worker);
            resolve({ ok: false, error: message.error });
          }
          return;
        }
        if (this.current && message.seq === this.current.seq) this.current.settle({ message });
      });
      worker.on('error', (error: Error & { code?: string }) => {
        const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        const what = outOfMemory
          ? `ran out of memory (more than ${this.limits.heapMb} MB of JavaScript heap)`
          : `crashed (${error.message})`;
        if (!loaded) {
          clearTimeout(timer);
          this.stopWorker(worker);
          resolve({ ok: false, error: { message: `The module's top-level code ${what}` } });
          return;
        }
        if (this.worker === worker && this.current)
          this.current.settle({
            error: new SandboxStoppedError(
              `${this.spec.label} ${what} on sample "${this.current.sampleId}" and was stopped`,
            ),
          });
        this.stopWorker(worker);
      });
      worker.on('exit', (code) => {
        if (!loaded) {
          clearTimeout(timer);
          resolve({ ok: false, error: { message: `The module stopped while loading (exit code ${code})` } });
        }
        if (this.worker === worker) {
          if (this.current)
            this.current.settle({
              error: new SandboxStoppedError(
                `${this.spec.label} stopped on sample "${this.current.sampleId}" (exit code ${code}); calling process.exit() is not allowed`,
              ),
            });
          this.stop();
        }
      });
    });
  }

  private async runNow(input: SandboxRunInput): Promise<ResultMessage | RunFailedMessage> {
    clearTimeout(this.idleTimer);
    const loaded = await this.start();
    if (!loaded.ok) throw new SandboxStoppedError(`${this.spec.label} cannot start: ${loaded.error.message}`);
    const worker = this.worker;
    if (!worker) throw new SandboxStoppedError(`${this.spec.label} stopped while starting`);
    clearTimeout(this.idleTimer);
    const seq = ++this.seq;
    const { timeoutMs, memoryMb } = this.limits;
    return new Promise((resolve, reject) => {
      const rssStart = process.memoryUsage.rss();
      const timer = setTimeout(() => {
        this.stopWorker(worker);
        current.settle({
          error: new SandboxStoppedError(
            `${this.spec.label} took longer than ${formatSeconds(timeoutMs)} on sample "${input.sampleId}" and was stopped (an endless loop?); it restarts for the next sample`,
          ),
        });
      }, timeoutMs);
      // Typed arrays live outside the V8 heap that resourceLimits caps, so watch the process too.
      const watch = setInterval(() => {
        if (process.memoryUsage.rss() - rssStart <= memoryMb * MB) return;
        this.stopWorker(worker);
        current.settle({
          error: new SandboxStoppedError(
            `${this.spec.label} used more than ${memoryMb} MB of memory on sample "${input.sampleId}" and was stopped`,
          ),
        });
      }, WATCH_MS);
      const current: Current = {
        seq,
        sampleId: input.sampleId,
        settle: ({ message, error }) => {
          if (this.current !== current) return;
          this.current = undefined;
          clearTimeout(timer);
          clearInterval(watch);
          if (this.worker === worker) {
            worker.unref();
            this.idle(worker);
          }
          if (message) resolve(message);
          else reject(error ?? new SandboxStoppedError(`${this.spec.label} stopped`));
        },
      };
      this.current = current;
      worker.ref();
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
      worker.postMessage(message);
    });
  }

  /** Stops `worker` once it has been idle for `idleMs` (a timer that does not keep the process alive). */
  private idle(worker: Worker): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker === worker && !this.current) this.stop();
    }, this.limits.idleMs);
    this.idleTimer.unref();
  }

  /** Forgets the running worker (the next sample starts a new one). */
  private stop(): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    void worker?.terminate();
  }

  private stopWorker(worker: Worker): void {
    if (this.worker === worker) this.stop();
    else void worker.terminate();
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}
