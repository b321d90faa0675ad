/**
 * The View tab on a 3-D classifier (cnn3d, 1 epoch on NIfTI class folders) in Chromium at
 * 1280x800: the volume's slice with the Grad-CAM of the predicted class over it, at the
 * slice's size in each plane, named and labelled as a hint, beside the class probabilities.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../src/engine/service/engine';
import { writeVolumeClasses } from '../src/engine/test-support/volume-classes';
import { openProject, type Session } from './support/browser-steps';

let session: Session;
let network = '';

/** A classifier project over the class folders, run (1 epoch) with the cache `phi serve` will use. */
async function trainedClassifier(dir: string): Promise<string> {
  writeVolumeClasses(join(dir, 'classes'));
  const engine = new Engine({ cacheDir: join(dir, 'cache', 'phi-studio') });
  const path = join(dir, 'classes.phiproj');
  const opened = await engine.createProject({ path, dataset: join(dir, 'classes'), task: 'classification' });
  const node = opened.graph.nodes.find((n) => n.kind === 'network');
  if (!node) throw new Error('no network node');
  network = node.id;
  await engine.editGraph({
    edits: [{ op: 'set-params', id: node.id, params: { ...node.params, epochs: 1 } }],
  });
  const run = await engine.run({ mode: 'all' });
  engine.closeProject();
  if (run.status !== 'done') throw new Error(`the classifier did not run: ${run.status}`);
  return path;
}

beforeAll(async () => {
  session = await openProject('phi-volume-gradcam-', trainedClassifier, { width: 1280, height: 800 });
});

afterAll(() => session?.close());

/** The natural size of an image on the page once it has loaded. */
async function naturalSize(testId: string): Promise<[number, number]> {
  const image = session.page.getByTestId(testId);
  await image.waitFor();
  await expect
    .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
    .toBeGreaterThan(0);
  return image.evaluate((img) => {
    const { naturalWidth, naturalHeight } = img as unknown as { naturalWidth: number; naturalHeight: number };
    return [naturalWidth, naturalHeight] as [number, number];
  });
}

it('draws the Grad-CAM of the predicted class over the shown slice in each plane', async () => {
  const { page } = session;
  await page.locator(`[data-testid="node-${network}"] .phi-node-title`).click();
  await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name: 'View' }).click();
  await page.getByRole('list', { name: 'Class probabilities' }).waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('gradcam-overlay').getAttribute('alt')).toBe('Grad-CAM heatmap');
  expect(await naturalSize('gradcam-overlay')).toEqual(await naturalSize('volume-slice'));
  expect(await page.getByTestId('gradcam-class').innerText()).toMatch(
    /^Grad-CAM of (lesion|normal), the predicted class, on this slice of the whole-volume map$/,
  );
  await page.getByText('Grad-CAM shows where the network looked: a hint, not a finding.').waitFor();
  const axial = await page.getByTestId('gradcam-overlay').getAttribute('src');
  await session.shot('volume-gradcam-axial');

  await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'Coronal' }).click();
  await expect.poll(() => page.getByTestId('gradcam-overlay').getAttribute('src')).not.toBe(axial);
  expect(await naturalSize('gradcam-overlay')).toEqual(await naturalSize('volume-slice'));
  expect(session.pageErrors).toEqual([]);
});
