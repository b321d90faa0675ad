/** `phi process`: placeholder until its issue lands; replaced by the owner of that issue. */
import { EXIT, type CliCommand } from '../command';

/** See the module comment. */
export const processCommand: CliCommand = {
  name: 'process',
  summary: 'not available yet',
  usage: 'phi process',
  async run(_args, io) {
    io.stderr.write('phi process: not available in this build\n');
    return EXIT.usage;
  },
};
