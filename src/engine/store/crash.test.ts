import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { node, tempFolder } from './fixtures/sample-graph';
import { ProjectStore } from './project-store';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writerScript = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

/** A running crash-writer child and what it has printed so far. */
interface Writer {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves once a printed line satisfies `test`; rejects if the child exits first. */
  waitFor(test: (lines: string[]) => boolean): Promise<void>;
  /** SIGKILLs the child and resolves with the signal it died of. */
  kill(): Promise<NodeJS.Signals | null>;
}

function startWriter(project: string, mode: 'edits' | 'hold'): Writer {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/run-ts.mjs'), writerScript, project, mode], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    waiters.forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  return {
    child,
    lines,
    stderr: () => err,
    waitFor: (test) =>
      new Promise<void>((resolve, reject) => {
        const check = () => test(lines) && resolve();
        waiters.push(check);
        check();
        void exited.then(() => reject(new Error(`crash-writer exited early: ${err}`)));
      }),
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let tmp: ReturnType<typeof tempFolder>;
let path: string;
beforeEach(() => {
  tmp = tempFolder('phi-crash-');
  path = join(tmp.dir, 'crash.phiproj');
  ProjectStore.create(path, {
    graph: { nodes: [node('root', { kind: 'dataset', type: 'dataset' })], edges: [] },
  }).close();
});
afterEach(() => tmp.remove());

describe('a process killed with SIGKILL while saving', () => {
  it('leaves a project that opens with every committed batch, whole, and its run interrupted', async () => {
    let previous = 0;
    // Three kills at different moments of the write loop, each resuming where the last left off.
    for (const delayMs of [0, 7, 19]) {
      const writer = startWriter(path, 'edits');
      await writer.waitFor((lines) => lines.length >= 25);
      await sleep(delayMs);
      expect(await writer.kill()).toBe('SIGKILL');
      const reported = Number(writer.lines.at(-1));
      expect(reported, writer.stderr()).toBeGreaterThan(previous);
      // The kill left committed pages in the WAL, not yet folded into the file.
      expect(existsSync(path + '-wal')).toBe(true);

      const store = ProjectStore.open(path);
      try {
        const graph = store.graph();
        const count = graph.nodes.find((n) => n.id === 'root')!.params.count as number;
        // Every batch whose commit was reported is there; at most the one after it also committed.
        expect(count === reported || count === reported + 1).toBe(true);
        // Each batch is whole: exactly n1..n<count>, each with its edge and its own params.
        expect(graph.nodes.map((n) => n.id)).toEqual([
          'root',
          ...Array.from({ length: count }, (_, i) => `n${i + 1}`),
        ]);
        expect(graph.nodes.slice(1).every((n, i) => n.params.i === i + 1)).toBe(true);
        expect(graph.edges.map((e) => [e.id, e.source, e.target])).toEqual(
          Array.from({ length: count }, (_, i) => [`e${i + 1}`, i === 0 ? 'root' : `n${i}`, `n${i + 1}`]),
        );
        const run = store.runs().at(-1)!;
        expect(run.status).toBe('interrupted');
        const epochs = store.epochs('root', run.id).map((e) => e.epoch);
        expect(epochs[0]).toBe(previous + 1);
        expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => previous + 1 + i));
        // The epoch row is its own commit after the batch: present for every batch but maybe the last.
        expect(epochs.at(-1)! === count || epochs.at(-1)! === count - 1).toBe(true);
        previous = count;
      } finally {
        store.close();
      }
    }
    const final = ProjectStore.open(path);
    expect(final.runs().map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    final.close();
  });

  it('does not mark a run interrupted while its process is alive, and does once it is killed', async () => {
    const writer = startWriter(path, 'hold');
    try {
      await writer.waitFor((lines) => lines.some((l) => l.startsWith('run ')));
      const runId = writer.lines.find((l) => l.startsWith('run '))!.slice(4);
      const whileAlive = ProjectStore.open(path);
      expect(whileAlive.runs()).toMatchObject([{ id: runId, status: 'running' }]);
      whileAlive.close();
      expect(await writer.kill()).toBe('SIGKILL');
      const afterKill = ProjectStore.open(path);
      expect(afterKill.runs()).toMatchObject([{ id: runId, status: 'interrupted' }]);
      afterKill.close();
    } finally {
      writer.child.kill('SIGKILL');
    }
  });
});
