/** `phi inspect`: placeholder until its issue lands; replaced by the owner of that issue. */
import { EXIT, type CliCommand } from '../command';

/** See the module comment. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'not available yet',
  usage: 'phi inspect',
  async run(_args, io) {
    io.stderr.write('phi inspect: not available in this build\n');
    return EXIT.usage;
  },
};
