/**
 * How a sample whose stored values are not display values is shown, wherever
 * images are shown (View tab, Processing Result, prediction overlays):
 * PALETTE COLOR indices through their palette, and MONOCHROME1 (high values
 * dark) inverted after windowing, as DICOM viewers do. The sample itself is
 * not changed: training sees the stored values unless a module converts them.
 */
import type { EncodedImage, ImageData, Sample } from '../api';
import { applyPalette, paletteOfMeta } from '../modules/ops/palette';
import { displayBytes, renderThumbnail, type DisplayBytes, type ThumbnailOptions } from './thumbnail';
import type { DisplayWindow } from './window';

/** What to render: the image, whether to invert the windowed grey levels, and a fixed window if any. */
export interface Presentation {
  image: ImageData;
  invert: boolean;
  window?: DisplayWindow;
}

/** See the module comment. */
export function presentationOf(sample: Pick<Sample, 'image' | 'meta'>): Presentation {
  const photometric = sample.meta.PhotometricInterpretation;
  const channels = sample.image.shape[sample.image.shape.length - 1];
  const palette = paletteOfMeta(sample.meta);
  if (photometric === 'PALETTE COLOR' && palette && channels === 1) {
    const data = applyPalette(sample.image.data, palette);
    const top = 2 ** palette.bits - 1;
    return {
      image: { ...sample.image, data, shape: [...sample.image.shape.slice(0, -1), 3], colorMode: 'rgb' },
      invert: false,
      // Palette entries are colours: shown as they are, never stretched to the image's own range.
      window: { center: top / 2, width: top },
    };
  }
  return { image: sample.image, invert: photometric === 'MONOCHROME1' && channels === 1 };
}

/** A sample rendered as a PNG as it is shown; `window` applies unless the presentation fixes one (palette). */
export function renderPresented(
  sample: Pick<Sample, 'image' | 'meta'>,
  opts: Omit<ThumbnailOptions, 'invert'>,
): Promise<EncodedImage> {
  const shown = presentationOf(sample);
  return renderThumbnail(shown.image, { ...opts, window: shown.window ?? opts.window, invert: shown.invert });
}

/** 8-bit pixels of a sample as it is shown (grey or RGB), for drawing overlays on. */
export function presentedBytes(
  sample: Pick<Sample, 'image' | 'meta'>,
  opts: Omit<ThumbnailOptions, 'invert' | 'size'> = {},
): DisplayBytes {
  const shown = presentationOf(sample);
  return displayBytes(shown.image, { ...opts, window: shown.window ?? opts.window, invert: shown.invert });
}
