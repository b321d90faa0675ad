/**
 * "Export model..." and the Inference runtime setting through the engine, on a
 * small CNN trained on phantoms: the options the exporter allows (with its
 * sentence for those it refuses), the export request writing the same files
 * `phi export` writes, and the project's Inference runtime picking what runs
 * the View tab's prediction, with PHI_INFERENCE_RUNTIME overriding it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ExportManifest } from '../nn/export/export';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { dispatch } from './dispatch';
import { Engine } from './engine';

const dir = tempDir('phi-model-export-');
let engine: Engine;
let sampleId: string;
const previous = process.env.PHI_INFERENCE_RUNTIME;

beforeAll(async () => {
  delete process.env.PHI_INFERENCE_RUNTIME;
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data'), { classes: { a: 8, b: 8 }, size: [20, 16], channels: 1 });
  const path = join(dir, 'scans.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        ['blur', 'gaussian-blur', {}],
        ['size', 'resize', { width: 16, height: 16 }],
        [
          'net',
          'neural-network',
          { task: 'classification', epochs: 1, batchSize: 4, baseFilters: 4, depth: 1 },
        ],
      )
      .build(),
  }).close();
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  await engine.openProject({ path });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  sampleId = (await engine.listFiles({ node: 'data', limit: 1 })).items[0].id;
}, 240_000);
afterEach(() => {
  delete process.env.PHI_INFERENCE_RUNTIME;
});
afterAll(() => {
  engine?.closeProject();
  if (previous === undefined) delete process.env.PHI_INFERENCE_RUNTIME;
  else process.env.PHI_INFERENCE_RUNTIME = previous;
  rmSync(dir, { recursive: true, force: true });
});

it("says which options the network allows, with the exporter's sentence for a chain it cannot build", async () => {
  const options = await dispatch(engine, 'getExportOptions', { node: 'net' });
  expect(options).toEqual({
    onnx: { ok: true },
    withPreprocessing: {
      ok: false,
      reason:
        'Module "blur" (gaussian-blur) has no ONNX form: export without the preprocessing and apply the chain as the manifest lists it.',
    },
    anySize: {
      ok: false,
      reason:
        'Module "blur" (gaussian-blur) has no ONNX form: export without the preprocessing and apply the chain as the manifest lists it.',
    },
  });
  await expect(dispatch(engine, 'getExportOptions', { node: 'data' })).rejects.toThrow(
    'Node "data" is not a network',
  );
});

it('writes ONNX or TF.js with the manifest into the folder asked, relative to the project', async () => {
  const onnx = await dispatch(engine, 'exportModel', { node: 'net', format: 'onnx', folder: 'out/onnx' });
  expect(onnx).toEqual({
    format: 'onnx',
    folder: join(dir, 'out/onnx'),
    files: ['model.onnx', 'manifest.json'],
    manifest: join(dir, 'out/onnx/manifest.json'),
    preprocessingInGraph: false,
    inputShape: [null, 16, 16, 1],
  });
  const manifest = JSON.parse(readFileSync(join(dir, 'out/onnx/manifest.json'), 'utf8')) as ExportManifest;
  expect(manifest.preprocessing.map((s) => s.module)).toEqual(['gaussian-blur', 'resize']);
  expect(manifest.project).toMatchObject({ file: 'scans.phiproj', node: 'net' });
  const tfjs = (await dispatch(engine, 'exportModel', {
    node: 'net',
    format: 'tfjs',
    folder: join(dir, 'out/tfjs'),
  })) as { files: string[] };
  expect(tfjs.files[0]).toBe('model.json');
  expect(tfjs.files.at(-1)).toBe('manifest.json');
  for (const file of tfjs.files) expect(existsSync(join(dir, 'out/tfjs', file))).toBe(true);
  // The chain with a blur has no ONNX form: the engine refuses with the exporter's sentence.
  await expect(
    dispatch(engine, 'exportModel', { node: 'net', format: 'onnx', withPreprocessing: true, folder: 'x' }),
  ).rejects.toThrow('Module "blur" (gaussian-blur) has no ONNX form');
  await expect(
    dispatch(engine, 'exportModel', { node: 'net', format: 'tfjs', withPreprocessing: true, folder: 'x' }),
  ).rejects.toThrow('the preprocessing goes inside an ONNX graph only: choose ONNX');
});

it("runs the View tab's prediction on the project's Inference runtime, PHI_INFERENCE_RUNTIME overriding it", async () => {
  expect((await dispatch(engine, 'setProjectSettings', {})) as object).toEqual({
    sampleSize: null,
    inferenceRuntime: 'auto',
  });
  const auto = await engine.getPrediction({ node: 'net', sampleId });
  expect(auto.runtime).toEqual({
    name: 'onnx',
    reason: 'auto: the network exports to ONNX, so ONNX Runtime runs it',
  });

  expect(await dispatch(engine, 'setProjectSettings', { inferenceRuntime: 'tfjs' })).toEqual({
    sampleSize: null,
    inferenceRuntime: 'tfjs',
  });
  const tfjs = await engine.getPrediction({ node: 'net', sampleId });
  expect(tfjs.runtime?.name).toBe('tfjs');
  // Both runtimes give the same probabilities.
  tfjs.probabilities?.forEach((p, i) => expect(p).toBeCloseTo(auto.probabilities?.[i] ?? NaN, 4));

  process.env.PHI_INFERENCE_RUNTIME = 'onnx';
  expect((await engine.getProject())?.settings).toEqual({
    sampleSize: null,
    inferenceRuntime: 'tfjs',
    inferenceRuntimeOverride: 'onnx',
  });
  expect((await engine.getPrediction({ node: 'net', sampleId })).runtime).toEqual({
    name: 'onnx',
    reason: 'the Inference runtime setting is onnx',
  });
  await expect(dispatch(engine, 'setProjectSettings', { inferenceRuntime: 'gpu' })).rejects.toThrow(
    /Bad parameters for setProjectSettings/,
  );
});
