/**
 * ONNX's own model checker (Debian's python3-onnx), which tests run on every
 * model they export: the exported file must load there and pass the full check.
 */
import { spawnSync } from 'node:child_process';
import { pythonWith } from '../../test-support/python';

const SCRIPT = [
  'import sys, onnx',
  'm = onnx.load(sys.argv[1])',
  'onnx.checker.check_model(m, full_check=True)',
  'print(m.ir_version, m.opset_import[0].version)',
].join('\n');

/** Runs `onnx.checker.check_model(full_check=True)` on the file; returns `"<ir> <opset>"` as the file states them. */
export function checkOnnx(path: string): string {
  const r = spawnSync(pythonWith(['onnx'], 'python3-onnx'), ['-c', SCRIPT, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`onnx.checker refused ${path}: ${r.stderr}`);
  return r.stdout.trim();
}
