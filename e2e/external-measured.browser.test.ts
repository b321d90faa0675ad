/**
 * The Output tab on a 3-D segmentation evaluated on another labelled folder, in Chromium: the
 * External evaluation section says the folder, its volume count, the run and "in the source
 * geometry", lists each figure by class name as `getEvaluation` stored it, and each volume's row
 * under the folder's heading.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatValue, measuredFigureRows, type MeasuredEvaluationRecord } from '../src/engine/api';
import { openProject, type Session } from './support/browser-steps';
import { trainedLesions3d } from './support/lesions-3d-example';

let session: Session;
let record: MeasuredEvaluationRecord;

/** The 3-D example, trained, then evaluated on a copy of its data without its unlabelled test images. */
async function evaluatedExample(dir: string): Promise<string> {
  const external = join(dir, 'external');
  const { project } = await trainedLesions3d(dir, async (engine) => {
    cpSync(join(dir, 'example', 'data'), external, { recursive: true });
    rmSync(join(external, 'imagesTs'), { recursive: true, force: true });
    const evaluated = await engine.evaluateDataset({
      node: 'network',
      dataset: external,
      bootstrap: 0,
      seed: 0,
    });
    record = evaluated.record as MeasuredEvaluationRecord;
  });
  return project;
}

beforeAll(async () => {
  session = await openProject('phi-external-measured-e2e-', evaluatedExample, { width: 1280, height: 900 });
});

afterAll(() => session?.close());

describe('the Output tab on a 3-D segmentation evaluated on another folder', () => {
  it('says what the figures were measured on and lists them by class name, and each volume', async () => {
    const { page } = session;
    expect(record.geometry).toBe('source');
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    await page.getByRole('tab', { name: 'Output' }).click();
    const scope = page.getByTestId('measured-scope');
    await scope.waitFor();
    expect(await scope.innerText()).toBe(
      `${record.items} volumes of ${record.dataset}, run ${record.runId}, model ${record.modelStamp?.slice(0, 12)}; segmentation figures in the source geometry (each prediction mapped back to its item's own grid and compared with the folder's masks)`,
    );
    const rows = await page
      .getByRole('table', { name: 'External evaluation figures' })
      .locator('tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('th')?.textContent ?? '',
          tr.querySelector('td')?.textContent ?? '',
        ]),
      );
    expect(rows).toEqual(
      measuredFigureRows(record.metrics, record.classes).map((f) => [f.label, formatValue(f.value)]),
    );
    expect(rows.map((r) => r[0])).toContain(`HD95 mm, ${record.classes[1]}`);
    const volumes = page.getByRole('table', {
      name: `External folder ${record.dataset}: figures per volume`,
    });
    await volumes.waitFor();
    expect(await volumes.locator('tbody tr').count()).toBe(record.volumes?.length);
    expect(record.volumes).toHaveLength(record.items);
  });
});
