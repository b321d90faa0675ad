/**
 * "Export model…" in Chromium against `phi serve` on a temp copy of the example,
 * in a 1280x800 window: after a short training, the network node's context
 * menu exports ONNX with the preprocessing inside the graph ("any input size"
 * off with the engine's sentence, as the example resizes with area); the model
 * run here with onnxruntime-node on the raw DICOM slice the View tab shows
 * gives the View tab's label and probabilities. The Output tab's button exports
 * TF.js layers, which tf.loadLayersModel reads back with the trained network's
 * outputs. File > Project settings… keeps the Inference runtime. Screenshots
 * 30-export-model and 31-project-settings.
 */
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Prediction, ProjectSnapshot } from '../src/engine/api';
import { decodeImage } from '../src/engine/data/readers';
import { OnnxNetwork } from '../src/engine/nn/export/runtime';
import type { ExportManifest } from '../src/engine/nn/export/export';
import { loadTrained, releaseTrained } from '../src/engine/nn/predict';
import { tf } from '../src/engine/nn/tf';
import { maxAbsDifference } from '../src/engine/test-support/arrays';
import { loadTfjsFolder } from '../src/engine/test-support/tfjs-folder';
import { copyExample } from './support/serve';
import { layoutProblems, openProject, setNodeParam, type Session } from './support/browser-steps';

/** What this test reads of the page's store. */
interface G {
  __phi: {
    api: {
      getPrediction(params: { node: string; sampleId: string }): Promise<Prediction>;
      getProject(params: object): Promise<ProjectSnapshot>;
    };
  };
}

let s: Session;
let page: Page;
let root: string;

const AREA_REFUSAL =
  'Module "resize" (resize) resizes with area, which ONNX Resize has no mode for: export without --any-size.';

beforeAll(async () => {
  s = await openProject(
    'phi-ui-export-',
    async (dir) => {
      // Two destination folders the folder browser lists (it stays inside --root).
      mkdirSync(join(dir, 'exports-onnx'));
      mkdirSync(join(dir, 'exports-tfjs'));
      return copyExample(join(dir, 'example'));
    },
    { width: 1280, height: 800 },
    (dir) => ['--root', dir],
  );
  page = s.page;
  root = realpathSync(s.dir);
});
afterAll(async () => {
  releaseTrained();
  await s?.close();
});

/** Picks `name`, a folder directly under the browse root, in the dialog's folder browser. */
async function pickFolder(name: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Folder path').fill(root);
  await dialog.getByRole('button', { name: 'Go' }).click();
  await dialog.getByRole('button', { name: name, exact: true }).click();
  await expect.poll(() => dialog.getByLabel('Folder path').inputValue()).toBe(join(root, name));
}

it(
  "exports ONNX with the preprocessing from the node's context menu, which gives the View tab's label on the raw image",
  { timeout: 300_000 },
  async () => {
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    await setNodeParam(page, 'network', 'epochs', 2);
    await page.getByRole('button', { name: 'Run all modules' }).click();
    await page.waitForSelector('[data-testid="node-network"][data-state="done"]', { timeout: 240_000 });

    // The label the View tab shows for its sample.
    await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name: 'View' }).click();
    await page.getByRole('list', { name: 'Class probabilities' }).waitFor({ timeout: 60_000 });
    const sampleId = await page.getByRole('combobox', { name: 'Sample' }).inputValue();
    const shown = (await page.locator('.prob-row.predicted .prob-name').innerText())
      .replace(/true$/, '')
      .trim();
    const prediction = await page.evaluate(
      (sampleId) => (globalThis as unknown as G).__phi.api.getPrediction({ node: 'network', sampleId }),
      sampleId,
    );
    expect(prediction.classes[prediction.predictedClass ?? -1]).toBe(shown);

    await page.locator('[data-testid="node-network"]').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Export model…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Export model · / });
    await dialog.waitFor();
    const inGraph = dialog.getByRole('checkbox', { name: /Include preprocessing in the graph/ });
    const anySize = dialog.getByRole('checkbox', { name: 'Any input size' });
    await expect.poll(() => inGraph.isEnabled()).toBe(true);
    expect(await dialog.getByRole('radio', { name: /ONNX/ }).isChecked()).toBe(true);
    expect(await anySize.isDisabled()).toBe(true);
    await inGraph.check();
    // The example resizes with area: any input size is off, with the exporter's own sentence.
    expect(await dialog.getByTestId('any-size-reason').innerText()).toBe(AREA_REFUSAL);
    expect(await anySize.isDisabled()).toBe(true);
    await pickFolder('exports-onnx');
    await s.shot('30-export-model');
    expect(await layoutProblems(page, '[role="dialog"]')).toEqual([]);
    // Enter exports.
    await inGraph.focus();
    await inGraph.press('Enter');
    const result = dialog.getByTestId('export-result');
    await result.waitFor({ timeout: 60_000 });
    const folder = join(root, 'exports-onnx');
    expect(await result.innerText()).toBe(
      `Wrote model.onnx, manifest.json to ${folder}. Manifest: ${join(folder, 'manifest.json')}. The graph takes the raw image, float32 [batch, 80, 80, 1].`,
    );
    await s.shot('30b-export-model-done');
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(manifest.preprocessingInGraph).toBe(true);
    expect(manifest.classes).toEqual(prediction.classes);

    // The raw slice, as the reader decodes it (HU), through the exported graph.
    const raw = await decodeImage(join(s.dir, 'example', 'data', sampleId));
    expect(raw.shape).toEqual([80, 80, 1]);
    const net = await OnnxNetwork.load(join(folder, 'model.onnx'));
    const probabilities = await net.run(Float32Array.from(raw.data), [1, 80, 80, 1]);
    await net.release();
    const best = probabilities.indexOf(Math.max(...probabilities));
    expect(manifest.classes[best]).toBe(shown);
    expect(maxAbsDifference(probabilities, Float32Array.from(prediction.probabilities ?? []))).toBeLessThan(
      1e-4,
    );
    console.log(
      `${sampleId}: View tab "${shown}", exported graph on the raw slice "${manifest.classes[best]}", largest probability difference ${maxAbsDifference(probabilities, Float32Array.from(prediction.probabilities ?? [])).toExponential(2)}`,
    );

    // Escape closes the dialog.
    await dialog.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  },
);

it(
  'exports TF.js layers from the Output tab, which tf.loadLayersModel reads back',
  { timeout: 120_000 },
  async () => {
    await page.getByRole('tab', { name: 'Output' }).click();
    await page.getByRole('button', { name: 'Export model…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Export model · / });
    await dialog.getByRole('radio', { name: /TF\.js layers/ }).check();
    expect(
      await dialog.getByRole('checkbox', { name: /Include preprocessing in the graph/ }).isDisabled(),
    ).toBe(true);
    await pickFolder('exports-tfjs');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const result = dialog.getByTestId('export-result');
    await result.waitFor({ timeout: 60_000 });
    const folder = join(root, 'exports-tfjs');
    expect(await result.innerText()).toBe(
      `Wrote model.json, group1-shard1of1.bin, manifest.json to ${folder}. Manifest: ${join(folder, 'manifest.json')}. The network takes the chain's output, float32 [batch, 64, 64, 1].`,
    );
    await dialog.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The trained network first: loading it sets up tf.js's backend here.
    const trained = await loadTrained(join(s.dir, 'example', 'lesions.phidata', 'network'));
    const loaded = await loadTfjsFolder(folder);
    const x = tf.randomUniform([4, 64, 64, 1], 0, 1, 'float32', 7);
    const a = (loaded.predict(x) as tf.Tensor).dataSync();
    const b = (trained.model.predict(x) as tf.Tensor).dataSync();
    expect(a.length).toBe(4 * trained.manifest.classes.length);
    expect(maxAbsDifference(a, b)).toBeLessThan(1e-6);
    tf.dispose([x]);
    loaded.dispose();
  },
);

it(
  'keeps the Inference runtime in the project from File > Project settings…',
  { timeout: 60_000 },
  async () => {
    await page.getByRole('button', { name: /^File/ }).click();
    await page.getByRole('menuitem', { name: 'Project settings…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Project settings' });
    const runtime = dialog.getByLabel('Inference runtime');
    await expect.poll(() => runtime.isEnabled()).toBe(true);
    expect(await runtime.inputValue()).toBe('auto');
    await runtime.selectOption('tfjs');
    await s.shot('31-project-settings');
    expect(await layoutProblems(page, '[role="dialog"]')).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const project = await page.evaluate(() => (globalThis as unknown as G).__phi.api.getProject({}));
    expect(project.settings?.inferenceRuntime).toBe('tfjs');
    expect(s.pageErrors).toEqual([]);
  },
);
