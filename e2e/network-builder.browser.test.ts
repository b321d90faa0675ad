/**
 * The network (layer) builder in Chromium against `phi serve` on a temp copy
 * of the example: opened from the network node, it starts from Input ->
 * Conv2D -> MaxPool2D -> Flatten -> Dense; shapes inferred by the engine show
 * on the connections; a layer dropped from the palette is connected; a
 * connection a layer cannot take is refused with the reason; a spec whose
 * shapes do not fit is named by its layer; the parameter count follows a
 * parameter change (worked by hand); Save as stores it as a "My" network;
 * a built-in network opens as a starting point to save under a new name,
 * Use sets the network node to train a saved one, and the builder then opens
 * on that saved network. Screenshots 12-*.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { centre, dragBetween, openExample, type Session } from './support/browser-steps';

let s: Session;
let page: Page;

/** Drags from one layer's output handle to another's input handle. */
async function connect(from: string, to: string): Promise<void> {
  await dragBetween(
    page,
    await centre(page, `[data-testid="layer-${from}"] .react-flow__handle.source`),
    await centre(page, `[data-testid="layer-${to}"] .react-flow__handle.target`),
  );
}

/** The label (SVG text) on the connection between two layers, once it reads `text`. */
async function edgeLabel(from: string, to: string, text?: string): Promise<string | null> {
  const label = page.locator(`[data-testid="rf__edge-${from}->${to}"] .react-flow__edge-text`);
  await (text ? label.filter({ hasText: text }) : label).waitFor();
  return label.textContent();
}

beforeAll(async () => {
  s = await openExample('phi-ui-builder-');
  page = s.page;
});

afterAll(async () => {
  await s?.close();
});

describe('network builder', () => {
  it('opens from the network node with the starter network, shapes on the connections', async () => {
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    await page.getByRole('button', { name: 'Build network…' }).click();
    await page.getByRole('dialog', { name: 'Network builder' }).waitFor();
    await page.getByTestId('spec-status').getByText('Valid').waitFor();
    // The example's images reach the network as 64 x 64 x 1 (the Input default when not yet run).
    expect(await edgeLabel('input', 'conv2d-1')).toBe('64 × 64 × 1');
    expect(await edgeLabel('conv2d-1', 'maxpool2d-1')).toBe('64 × 64 × 16');
    expect(await edgeLabel('maxpool2d-1', 'flatten-1')).toBe('32 × 32 × 16');
    expect(await page.getByTestId('layer-shape-dense-1').innerText()).toBe('(2)');
    // conv 3*3*1*16 + 16 = 160; dense 32*32*16*2 + 2 = 32770.
    expect(await page.getByTestId('param-count').innerText()).toBe((160 + 32770).toLocaleString('en-US'));
    await s.shot('12a-builder-starter');
  });

  it('adds a layer, refuses a second input to a one-input layer, and names the layer whose shapes do not fit', async () => {
    const canvas = await page.locator('.builder-canvas').boundingBox();
    await page.getByTestId('layer-palette-Add').dragTo(page.locator('.builder-canvas .react-flow__pane'), {
      targetPosition: { x: canvas!.width * 0.75, y: canvas!.height * 0.45 },
    });
    await page.getByTestId('layer-add-1').waitFor();
    await connect('conv2d-1', 'add-1');
    await connect('maxpool2d-1', 'add-1');
    // Two layers now lead nowhere: the builder says which.
    expect(await page.getByTestId('spec-error').innerText()).toMatch(/lead nowhere/);

    await connect('add-1', 'flatten-1');
    const toast = page.getByTestId('toast').filter({ hasText: 'Connection refused' });
    await toast.waitFor();
    expect(await toast.innerText()).toMatch(
      /flatten-1 \(Flatten\) takes one input and already has maxpool2d-1/,
    );

    // Replace Flatten's input by the Add: 64x64x16 + 32x32x16 cannot be added.
    // Connections are focusable: Enter selects one (as a keyboard user does), Delete removes it.
    await page.locator('[data-testid="rf__edge-maxpool2d-1->flatten-1"]').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Delete');
    await page.locator('[data-testid="rf__edge-maxpool2d-1->flatten-1"]').waitFor({ state: 'detached' });
    await connect('add-1', 'flatten-1');
    const error = page.getByTestId('spec-error');
    await error.getByText('add-1').waitFor();
    expect(await error.innerText()).toMatch(/^add-1: /);
    expect(await page.getByTestId('layer-add-1').getAttribute('class')).toMatch(/failed/);
    await s.shot('12b-builder-error-named');

    // Removing the Add and reconnecting makes it valid again.
    await page.getByTestId('layer-add-1').click();
    await page.getByRole('button', { name: 'Remove layer' }).click();
    await connect('maxpool2d-1', 'flatten-1');
    await page.getByTestId('spec-status').getByText('Valid').waitFor();
  });

  it('a parameter change in the layer panel changes shapes and the parameter count', async () => {
    await page.getByTestId('layer-conv2d-1').click();
    const filters = page.getByTestId('param-filters').locator('input');
    await filters.fill('8');
    await filters.press('Enter');
    await edgeLabel('maxpool2d-1', 'flatten-1', '32 × 32 × 8');
    // conv 3*3*1*8 + 8 = 80; dense 32*32*8*2 + 2 = 16386.
    await page
      .getByTestId('param-count')
      .getByText((80 + 16386).toLocaleString('en-US'))
      .waitFor();
    // The Dense layer keeps its $classes placeholder in a number field.
    await page.getByTestId('layer-dense-1').click();
    expect(await page.getByTestId('param-units').locator('input').inputValue()).toBe('$classes');
    await s.shot('12c-builder-params');
  });

  it('saves the network in the project, listed with the My tag', async () => {
    const id = page.getByLabel('Save as');
    await id.fill('small-cnn');
    expect(await page.locator('.builder-save .field-error').innerText()).toMatch(/built-in/);
    await id.fill('my-small');
    await page.locator('.builder-save').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Saved network "my-small"' }).waitFor();
    const saved = page
      .getByRole('region', { name: 'Networks' })
      .locator('li')
      .filter({ hasText: 'my-small' });
    expect(await saved.locator('.tag-my').innerText()).toBe('My');
    await s.shot('12d-builder-saved');
  });

  it('opens a built-in network to save under a new name, and sets the network node to train a saved one', async () => {
    await page.getByRole('button', { name: 'Open small-cnn' }).click();
    await page.getByTestId('layer-predictions').waitFor();
    await page.getByTestId('spec-status').getByText('Valid').waitFor();
    // Built-in ids cannot be saved over: the name offered is the user's own.
    expect(await page.getByLabel('Save as').inputValue()).toBe('my-small-cnn');
    await page.locator('.builder-save').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Saved network "my-small-cnn"' }).waitFor();
    await s.shot('12e-builder-opened-builtin');

    await page.getByRole('button', { name: 'Use my-small in network' }).click();
    await page.getByTestId('toast').filter({ hasText: 'now trains "my-small"' }).waitFor();
    await page
      .getByRole('dialog', { name: 'Network builder' })
      .getByRole('button', { name: 'Close' })
      .click();
    expect(await page.getByTestId('param-architecture').locator('select').inputValue()).toBe('custom');
    expect(await page.getByTestId('param-customSpec').locator('input').inputValue()).toBe('my-small');

    // Build network… on a node that trains a saved network opens that network, not the starter.
    await page.getByRole('button', { name: 'Build network…' }).click();
    await page.getByRole('dialog', { name: 'Network builder' }).waitFor();
    await page.getByLabel('Save as').and(page.locator('[value="my-small"]')).waitFor();
    expect(await page.getByLabel('Save as').inputValue()).toBe('my-small');
    await page
      .getByRole('dialog', { name: 'Network builder' })
      .getByRole('button', { name: 'Close' })
      .click();
    expect(s.pageErrors).toEqual([]);
  });
});
