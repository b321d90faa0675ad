/**
 * A Grad-CAM (or any) overlay PNG as a Secondary Capture image in the source
 * image's study, marked as not for diagnosis three ways: the words burned into the
 * pixels (a banner along the top), Burned In Annotation YES, and the Derivation
 * Description and Image Comments. It references the image it was computed on.
 */
import sharp from 'sharp';
import { newInstanceOf, readDataset, referenceTo, writePart10 } from './derived';
import { NOT_FOR_DIAGNOSIS } from './sr';

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const BANNER = 'NOT FOR DIAGNOSIS';

/** The overlay's RGB pixels with the banner burned in along the top. */
async function withBanner(overlayFile: string): Promise<{ pixels: Buffer; width: number; height: number }> {
  const image = sharp(overlayFile).removeAlpha().toColourspace('srgb');
  const { width, height } = await image.metadata();
  if (!width || !height) throw new Error(`${overlayFile} is not an image sharp can read`);
  const bannerHeight = Math.max(10, Math.round(height / 16));
  const words = await sharp({
    text: { text: `<span foreground="white">${BANNER}</span>`, rgba: true, height: bannerHeight, width },
  })
    .png()
    .toBuffer();
  const { data, info } = await image
    .composite([
      {
        input: { create: { width, height: bannerHeight, channels: 3, background: '#000000' } },
        top: 0,
        left: 0,
      },
      { input: words, top: 0, left: 0 },
    ])
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${overlayFile} gave ${info.channels} channels, not RGB`);
  return { pixels: data, width: info.width, height: info.height };
}

/** What the overlay shows, in the derivation description. */
export interface CaptureOptions {
  /** e.g. `Grad-CAM of class "lesion" from model M (project H)`. */
  derivation?: string;
}

/** Builds the Secondary Capture of `overlayFile` drawn on the image in `sourceFile`. */
export async function buildOverlayCapture(
  overlayFile: string,
  sourceFile: string,
  options: CaptureOptions = {},
): Promise<{ bytes: Uint8Array; rows: number; columns: number }> {
  const source = readDataset(sourceFile);
  const { pixels, width, height } = await withBanner(overlayFile);
  const dataset = newInstanceOf(source, SECONDARY_CAPTURE, 'OT', 'Phi Studio overlay, not for diagnosis');
  Object.assign(dataset, {
    ConversionType: 'WSD',
    ImageType: ['DERIVED', 'SECONDARY'],
    BurnedInAnnotation: 'YES',
    DerivationDescription:
      `${options.derivation ?? 'Grad-CAM overlay'} on the referenced image. ${NOT_FOR_DIAGNOSIS}`.slice(
        0,
        1024,
      ),
    ImageComments: NOT_FOR_DIAGNOSIS,
    SourceImageSequence: [referenceTo(source)],
    ReferencedImageSequence: [referenceTo(source)],
    PatientOrientation: '',
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: height,
    Columns: width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)],
    _vrMap: { PixelData: 'OB' },
  });
  return { bytes: writePart10(dataset), rows: height, columns: width };
}
