/**
 * `phi`: the command line over the engine API. Dispatches to one file per
 * sub-command; exit codes 0 ok, 1 run failed, 2 bad usage.
 */
import { EXIT, UsageError, type CliCommand, type CliIO } from './command';
import { evaluateCommand } from './commands/evaluate';
import { exampleCommand } from './commands/example';
import { exportCommand } from './commands/export';
import { inspectCommand } from './commands/inspect';
import { metricsCommand } from './commands/metrics';
import { newCommand } from './commands/new';
import { pacsEchoCommand } from './commands/pacs-echo';
import { predictCommand } from './commands/predict';
import { predictShardCommand } from './commands/predict-shard';
import { processCommand } from './commands/process';
import { pullCommand } from './commands/pull';
import { pushCommand } from './commands/push';
import { repeatCommand } from './commands/repeat';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { serveCommand } from './commands/serve';
import { trialCommand } from './commands/trial';
import { trainJobCommand } from './commands/train-job';
import { tuneCommand } from './commands/tune';

/** Every sub-command, in the order `phi --help` lists them. */
export const COMMANDS: CliCommand[] = [
  newCommand,
  runCommand,
  exampleCommand,
  inspectCommand,
  processCommand,
  metricsCommand,
  predictCommand,
  evaluateCommand,
  repeatCommand,
  reportCommand,
  exportCommand,
  tuneCommand,
  trialCommand,
  trainJobCommand,
  predictShardCommand,
  pullCommand,
  pushCommand,
  pacsEchoCommand,
  serveCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'phi: Phi Studio from the command line',
    '',
    'Usage: phi <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `phi <command> --help` for a command's options.",
    '',
  ].join('\n');
}

/** Runs `phi` with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`phi: unknown command "${name}" (see phi --help)\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    io.stderr.write(`phi ${name}: ${message}\n`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`usage: ${command.usage.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    return EXIT.failed;
  }
}
