/**
 * `phi serve [project] [--port N]`: the workbench in a browser. Builds the
 * renderer if needed, starts the engine, serves both on 127.0.0.1 behind a
 * random token, and prints the URL (with the token) as the first line on
 * stdout, so scripts and tests can read it. Runs until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliCommand } from '../command';
import { ensureRendererBuilt, rendererOutDir } from '../../server/build-renderer';
import { startServer } from '../../server/server';
import { dispatch } from '../../service/dispatch';
import { Engine } from '../../service/engine';
import { RecentProjects } from '../../store/recent-projects';

/** See the module comment. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'open the workbench in a browser: serves the UI and engine on 127.0.0.1 with a secret URL',
  usage: [
    'phi serve [PROJECT.phiproj] [--port N] [--root DIR] [--no-build]',
    '  Prints http://127.0.0.1:PORT/?token=... as its first line; open it in a browser.',
    '  Only this machine can connect (tunnel with ssh -L for another one); the token keeps',
    '  other users of this machine out. --port 0 (the default) picks a free port.',
    '  --root DIR: the folder browser of New project / Open shows only what is inside DIR',
    '  (default: your home folder).',
    '  --no-build serves out/renderer as it is instead of rebuilding stale sources.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: 'string', default: '0' },
        root: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
      },
    });
    if (positionals.length > 1) throw new UsageError('give at most one project file');
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port: "${values.port}" is not a port number`);

    const rendererDir = values['no-build']
      ? rendererOutDir
      : await ensureRendererBuilt((line) => io.stderr.write(`${line}\n`));
    if (!existsSync(resolve(rendererDir, 'index.html'))) {
      io.stderr.write(`phi serve: no built renderer in ${rendererDir}; run without --no-build\n`);
      return EXIT.failed;
    }

    const browseRoot = values.root === undefined ? undefined : resolve(io.cwd, values.root);
    if (browseRoot !== undefined && !existsSync(browseRoot)) {
      io.stderr.write(`phi serve: --root ${browseRoot} does not exist\n`);
      return EXIT.failed;
    }
    const engine = new Engine({ browseRoot, recentProjects: new RecentProjects() });
    if (positionals[0]) {
      const project = resolve(io.cwd, positionals[0]);
      if (!existsSync(project)) {
        io.stderr.write(`phi serve: ${project} does not exist\n`);
        return EXIT.failed;
      }
      await engine.openProject({ path: project });
    }

    const server = await startServer({
      handle: (method, params, signal) => dispatch(engine, method, params, signal),
      events: (listener) => engine.onDidEmit(listener),
      rendererDir,
      port,
    });
    io.stdout.write(`${server.url}\n`);
    io.stderr.write('Phi Studio is served on 127.0.0.1 only. Press Ctrl+C to stop.\n');

    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await engine.cancel({}).catch(() => undefined);
    await server.close();
    engine.closeProject();
    return EXIT.ok;
  },
};
