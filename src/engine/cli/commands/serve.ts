/** `phi serve`: placeholder until its issue lands; replaced by the owner of that issue. */
import { EXIT, type CliCommand } from '../command';

/** See the module comment. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'not available yet',
  usage: 'phi serve',
  async run(_args, io) {
    io.stderr.write('phi serve: not available in this build\n');
    return EXIT.usage;
  },
};
