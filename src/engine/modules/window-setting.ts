/** Window Setting: CT display windows (center/width) with presets. */
import { z } from 'zod';
import { WINDOW_PRESETS } from '../api/window-presets';
import { allocate } from '../imaging/image';
import { defineModule } from './define';
import { applyWindow } from './ops/intensity';
import { mapPixels } from './support/intensity';

/** Window presets in HU (center, width): one list, shared with the View tab. */
export { WINDOW_PRESETS };

/** The `window-setting` module (stable id and param names). */
export const windowSettingModule = defineModule({
  id: 'window-setting',
  version: 1,
  title: 'Window Setting',
  category: 'Medical',
  description:
    'Applies a display window: values at or below center - width/2 become 0, at or above center + width/2 become ' +
    '1 (or 255), linear in between. Presets (HU): lung -600/1500, mediastinum 50/350, bone 400/1800, brain 40/80, ' +
    'abdomen 50/400, liver 30/150; custom uses center and width.',
  presets: { param: 'preset', values: WINDOW_PRESETS },
  params: z.object({
    preset: z
      .enum(['custom', 'lung', 'mediastinum', 'bone', 'brain', 'abdomen', 'liver'])
      .default('custom')
      .describe('A standard CT window, or custom to use center and width.'),
    center: z
      .number()
      .min(-100000)
      .max(100000)
      .default(40)
      .describe('Window center (level) in the image unit, HU for CT (-100000 to 100000).'),
    width: z
      .number()
      .min(1e-6)
      .max(200000)
      .default(400)
      .describe('Window width in the image unit, HU for CT (above 0, up to 200000).'),
    output: z
      .enum(['float', 'uint8'])
      .default('float')
      .describe('float: 0..1 float32 (unit normalized); uint8: 0..255 8-bit.'),
  }),
  run(sample, p) {
    const w = p.preset === 'custom' ? { center: p.center, width: p.width } : WINDOW_PRESETS[p.preset];
    return mapPixels(
      sample,
      (d) => {
        const f = applyWindow(d, w.center, w.width);
        if (p.output === 'float') return f;
        const out = allocate('uint8', f.length);
        for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i] * 255);
        return out;
      },
      { unit: p.output === 'float' ? 'normalized' : 'raw' },
    );
  },
});
