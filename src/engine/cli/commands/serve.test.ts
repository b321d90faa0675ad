/**
 * `phi serve` argument handling. The running server is covered by
 * src/engine/server/server.test.ts and, as a real child process printing its
 * URL first, by e2e/workbench.browser.test.ts.
 */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../command';
import { ensureRendererBuilt } from '../../server/build-renderer';
import { serveCommand } from './serve';

function io() {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), cwd: process.cwd() },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  await ensureRendererBuilt();
});

describe('phi serve arguments', () => {
  it('refuses a bad port and extra arguments as usage errors', async () => {
    await expect(serveCommand.run(['--port', 'http'], io().io)).rejects.toThrow(UsageError);
    await expect(serveCommand.run(['--port', '70000'], io().io)).rejects.toThrow(/not a port number/);
    await expect(serveCommand.run(['a.phiproj', 'b.phiproj'], io().io)).rejects.toThrow(
      /at most one project/,
    );
  });

  it('fails with a message naming a missing project, printing no URL', async () => {
    const t = io();
    expect(await serveCommand.run(['/nonexistent/x.phiproj', '--no-build'], t.io)).toBe(EXIT.failed);
    expect(t.err()).toContain('/nonexistent/x.phiproj does not exist');
    expect(t.out()).toBe('');
  });

  it('documents the token and the loopback-only listening in its usage', () => {
    expect(serveCommand.usage).toContain('--port N');
    expect(serveCommand.usage).toContain('token');
    expect(serveCommand.summary).toContain('127.0.0.1');
  });
});
