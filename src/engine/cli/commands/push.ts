/**
 * `phi push URL FILES...`: sends DICOM files (or the DICOM files under folders)
 * to a PACS by STOW-RS or C-STORE. With `--as KIND`, first makes one DICOM object
 * in the study of `--source` and sends it too (src/engine/pacs, docs/pacs.md):
 * a SEG or an RT Structure Set from a mask, a Structured Report of a
 * classification, a Secondary Capture of an overlay PNG, an Encapsulated PDF.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { buildOverlayCapture } from '../../pacs/capture';
import { PacsUsageError } from '../../pacs/errors';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionFrom } from '../../pacs/options';
import { buildEncapsulatedPdf } from '../../pacs/pdf';
import { filesToPush, push } from '../../pacs/push';
import { buildRtStruct } from '../../pacs/rtstruct';
import { buildSeg } from '../../pacs/seg';
import { buildClassificationSr, type ClassificationResult } from '../../pacs/sr';
import { parseTarget } from '../../pacs/target';
import { EXIT, UsageError, type CliCommand } from '../command';

const KINDS = ['seg', 'rtstruct', 'sr', 'sc', 'pdf'] as const;
type Kind = (typeof KINDS)[number];
/** The options each kind takes beyond --source and --out. */
const KIND_OPTIONS: Record<Kind, string[]> = {
  seg: ['label'],
  rtstruct: ['label'],
  sr: ['probability', 'model', 'project-hash'],
  sc: ['derivation'],
  pdf: [],
};

/** Refuses an option that the kind asked for (or plain sending) would ignore. */
function checkOptionsOf(kind: Kind | undefined, values: Record<string, unknown>): void {
  const given = (name: string): boolean => values[name] !== undefined;
  if (!kind && (given('out') || given('seg-out')))
    throw new UsageError('--out keeps a file made with --as (or --seg): give --as KIND');
  for (const name of new Set(Object.values(KIND_OPTIONS).flat()))
    if (given(name) && !(kind && KIND_OPTIONS[kind].includes(name))) {
      const owners = KINDS.filter((k) => KIND_OPTIONS[k].includes(name)).join(' or ');
      throw new UsageError(`--${name} goes with --as ${owners}`);
    }
}

/** `--probability NAME=P` values as classes in the order given. */
function classesFrom(values: string[]): ClassificationResult['classes'] {
  return values.map((text) => {
    const at = text.lastIndexOf('=');
    const probability = Number(text.slice(at + 1));
    if (at <= 0 || text.slice(at + 1).trim() === '' || !Number.isFinite(probability))
      throw new UsageError(`--probability takes CLASS=P (e.g. lesion=0.87), not "${text}"`);
    return { name: text.slice(0, at), probability };
  });
}

/** See the module comment. */
export const pushCommand: CliCommand = {
  name: 'push',
  summary: 'send DICOM files, or a SEG, RT structure set, SR, overlay or PDF made for a study, to a PACS',
  usage: [
    'phi push URL [FILES or FOLDERS...] [connection options]',
    'phi push URL --as seg|rtstruct MASK --source SOURCE [--label NAME]... [--out FILE]',
    'phi push URL --as sr --source SOURCE.dcm --probability CLASS=P... --model NAME --project-hash H [--out FILE]',
    'phi push URL --as sc OVERLAY.png --source SOURCE.dcm [--derivation TEXT] [--out FILE]',
    'phi push URL --as pdf REPORT.pdf --source SOURCE.dcm [--out FILE]',
    '  a FOLDER stands for the DICOM files under it',
    '  URL: http(s)://host:port/dicom-web (STOW-RS) or dicom://AET@host:port (C-STORE)',
    '  --as seg: a DICOM SEG; each non-zero mask value becomes a segment (--label names them in value order);',
    '       SOURCE is one image (PNG or .npy mask) or the folder of one series (.npy or NIfTI mask, slices x',
    '       rows x columns, slices ordered along their normal: one frame per slice per segment)',
    '  --as rtstruct: an RT Structure Set, one ROI per mask value (--label), contours in patient coordinates;',
    '       SOURCE is one slice (PNG or .npy mask) or the folder of one series (.npy slices x rows x columns,',
    '       slices ordered along their normal)',
    '  --as sr: a Structured Report of a classification: every class with its probability, the model, the',
    '       project hash, the image it was computed on, and "not for diagnosis"',
    '  --as sc: a Secondary Capture of an overlay (e.g. Grad-CAM), "NOT FOR DIAGNOSIS" burned in',
    '  --as pdf: an Encapsulated PDF of a report',
    '  Each is filed in the study of --source; --out also keeps the file. --seg MASK is --as seg MASK.',
    ...CONNECTION_USAGE,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...CONNECTION_OPTIONS,
        as: { type: 'string' },
        seg: { type: 'string' },
        source: { type: 'string' },
        label: { type: 'string', multiple: true },
        out: { type: 'string' },
        'seg-out': { type: 'string' },
        probability: { type: 'string', multiple: true },
        model: { type: 'string' },
        'project-hash': { type: 'string' },
        derivation: { type: 'string' },
      },
    });
    const [url, ...rest] = positionals;
    if (!url) throw new UsageError('give the PACS URL');
    if (values.seg && values.as) throw new UsageError('give either --seg MASK or --as KIND, not both');
    const kind = (values.seg ? 'seg' : values.as) as Kind | undefined;
    if (kind !== undefined && !KINDS.includes(kind))
      throw new UsageError(`--as is one of ${KINDS.join(', ')}, not "${values.as}"`);
    // The input the object is made from: --seg's mask, or the first file after the URL.
    const input = values.seg ?? (kind && kind !== 'sr' ? rest.shift() : undefined);
    if (kind && kind !== 'sr' && !input) throw new UsageError(`--as ${kind} needs the file to make it from`);
    if (!!kind !== !!values.source)
      throw new UsageError(kind ? `--as ${kind} needs --source` : '--source goes with --as or --seg');
    checkOptionsOf(kind, values);
    if (!rest.length && !kind)
      throw new UsageError('give DICOM files to send, or --as KIND with its input and --source');
    let target, connection;
    try {
      target = parseTarget(url);
      connection = connectionFrom(values, io.cwd);
    } catch (error) {
      if (error instanceof PacsUsageError) throw new UsageError(error.message);
      throw error;
    }
    const path = (p: string): string => resolve(io.cwd, p);
    const scratch = mkdtempSync(join(tmpdir(), 'phi-push-'));
    try {
      const files = filesToPush(rest.map(path));
      if (kind && values.source) {
        const source = path(values.source);
        const from = input ? path(input) : '';
        let made: { bytes: Uint8Array; line: string };
        if (kind === 'seg') {
          const seg = await buildSeg(from, source, { labels: values.label });
          made = {
            bytes: seg.bytes,
            line: `SEG: ${seg.segments.length} segments x ${seg.frames} frames from ${input}`,
          };
        } else if (kind === 'rtstruct') {
          const rt = await buildRtStruct(from, source, { labels: values.label });
          const rois = rt.rois.map((r) => `${r.name} (${r.contours} contours)`).join(', ');
          made = { bytes: rt.bytes, line: `RTSTRUCT: ${rois} on ${rt.slices} slices from ${input}` };
        } else if (kind === 'sr') {
          const sr = buildClassificationSr(
            {
              classes: classesFrom(values.probability ?? []),
              model: values.model ?? '',
              projectHash: values['project-hash'] ?? '',
            },
            source,
          );
          made = { bytes: sr.bytes, line: `SR: class ${sr.predicted} by ${values.model}, not for diagnosis` };
        } else if (kind === 'sc') {
          const sc = await buildOverlayCapture(from, source, { derivation: values.derivation });
          made = {
            bytes: sc.bytes,
            line: `Secondary Capture: ${sc.columns}x${sc.rows} from ${input}, not for diagnosis`,
          };
        } else {
          const pdf = buildEncapsulatedPdf(from, source);
          made = { bytes: pdf.bytes, line: `Encapsulated PDF: ${pdf.pdfBytes} bytes from ${input}` };
        }
        const kept = values.out ?? values['seg-out'];
        const file = kept ? path(kept) : join(scratch, `${kind}.dcm`);
        writeFileSync(file, made.bytes);
        io.stdout.write(`${made.line}\n`);
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
