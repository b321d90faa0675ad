/**
 * `phi push URL FILES...`: sends DICOM files (or the DICOM files under folders)
 * to a PACS by STOW-RS or C-STORE; with `--seg MASK --source SOURCE.dcm`, first
 * builds a DICOM SEG from the mask referencing the source image
 * (src/engine/pacs/seg.ts) and sends it too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { PacsUsageError } from '../../pacs/errors';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionFrom } from '../../pacs/options';
import { filesToPush, push } from '../../pacs/push';
import { buildSeg } from '../../pacs/seg';
import { parseTarget } from '../../pacs/target';
import { EXIT, UsageError, type CliCommand } from '../command';

/** See the module comment. */
export const pushCommand: CliCommand = {
  name: 'push',
  summary: 'send DICOM files, or a DICOM SEG made from a mask, to a PACS',
  usage: [
    'phi push URL [FILES or FOLDERS...] [--seg MASK --source SOURCE.dcm [--label NAME]... [--seg-out FILE]]',
    '         [connection options]',
    '  a FOLDER stands for the DICOM files under it',
    '  URL: http(s)://host:port/dicom-web (STOW-RS) or dicom://AET@host:port (C-STORE)',
    "  --seg: a PNG or .npy mask of SOURCE.dcm's size; each non-zero value becomes a segment",
    '         (--label names them in value order); --seg-out also keeps the SEG file',
    ...CONNECTION_USAGE,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...CONNECTION_OPTIONS,
        seg: { type: 'string' },
        source: { type: 'string' },
        label: { type: 'string', multiple: true },
        'seg-out': { type: 'string' },
      },
    });
    const [url, ...rest] = positionals;
    if (!url) throw new UsageError('give the PACS URL');
    if (!!values.seg !== !!values.source) throw new UsageError('--seg and --source go together');
    if (!rest.length && !values.seg)
      throw new UsageError('give DICOM files to send, or --seg MASK --source SOURCE.dcm');
    let target, connection;
    try {
      target = parseTarget(url);
      connection = connectionFrom(values, io.cwd);
    } catch (error) {
      if (error instanceof PacsUsageError) throw new UsageError(error.message);
      throw error;
    }
    const scratch = mkdtempSync(join(tmpdir(), 'phi-push-'));
    try {
      const files = filesToPush(rest.map((f) => resolve(io.cwd, f)));
      if (values.seg && values.source) {
        const seg = await buildSeg(resolve(io.cwd, values.seg), resolve(io.cwd, values.source), {
          labels: values.label,
        });
        const file = values['seg-out'] ? resolve(io.cwd, values['seg-out']) : join(scratch, 'seg.dcm');
        writeFileSync(file, seg.bytes);
        io.stdout.write(`SEG: ${seg.segments.length} segments x ${seg.frames} frames from ${values.seg}\n`);
        files.push(file);
      }
      await push(target, files, connection, (line) => io.stdout.write(`${line}\n`));
      return EXIT.ok;
    } catch (error) {
      if (error instanceof PacsUsageError) throw new UsageError(error.message);
      throw error;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
