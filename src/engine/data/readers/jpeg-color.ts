/**
 * Whether a 3-component JPEG in DICOM was colour-transformed (RGB to YCbCr)
 * when encoded, and a stream libjpeg-turbo decodes accordingly.
 *
 * libjpeg decides from the markers alone: JFIF APP0 means YCbCr, else an
 * Adobe APP14 transform flag (0 = none), else component ids 'R','G','B' mean
 * RGB, else YCbCr. DICOM adds the Photometric Interpretation: pydicom (and
 * GDCM) decode an RGB image without an Adobe marker as stored, since many
 * encoders write RGB samples with JFIF or 1,2,3 ids. The decoder exposes no
 * colour-space switch, so the markers libjpeg reads are rewritten to say what
 * was decided; the entropy-coded data is untouched.
 */

interface Markers {
  /** Offset of the 'J' of a JFIF APP0 identifier. */
  jfif?: number;
  /** Offset of the transform byte of an Adobe APP14 segment. */
  adobe?: number;
  /** Component ids of the frame header. */
  ids: number[];
}

function markersOf(jpeg: Uint8Array): Markers {
  const found: Markers = { ids: [] };
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const length = (jpeg[i + 2] << 8) | jpeg[i + 3];
    const body = i + 4;
    const text = (from: number, n: number): string => String.fromCharCode(...jpeg.subarray(from, from + n));
    if (marker === 0xe0 && text(body, 5) === 'JFIF\0') found.jfif = body;
    if (marker === 0xee && text(body, 5) === 'Adobe' && length >= 14) found.adobe = body + 11;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      const components = jpeg[body + 5];
      for (let k = 0; k < components; k++) found.ids.push(jpeg[body + 6 + k * 3]);
    }
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return found;
}

/** libjpeg's own choice (jdapimin.c, default_decompress_parms). */
function libjpegTransforms(m: Markers, jpeg: Uint8Array): boolean {
  if (m.jfif !== undefined) return true;
  if (m.adobe !== undefined) return jpeg[m.adobe] !== 0;
  return !(m.ids[0] === 0x52 && m.ids[1] === 0x47 && m.ids[2] === 0x42);
}

/** True when the samples were transformed to YCbCr at encoding (so decoding must convert back). */
export function jpegWasTransformed(jpeg: Uint8Array, photometric: string): boolean {
  const m = markersOf(jpeg);
  if (photometric === 'RGB' && m.adobe === undefined) return false;
  return libjpegTransforms(m, jpeg);
}

/** An Adobe APP14 segment (version 100, no flags) with this transform flag. */
function adobeSegment(transform: number): Uint8Array {
  return Uint8Array.from([0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, transform]);
}

/**
 * The stream to hand libjpeg-turbo so that its RGB output is the image's RGB:
 * the input itself when libjpeg already decides as {@link jpegWasTransformed},
 * else a copy whose JFIF identifier is blanked and whose Adobe transform flag
 * is set (an Adobe segment is inserted after SOI when there is none).
 */
export function jpegColorAsStored(jpeg: Uint8Array, photometric: string): Uint8Array {
  const m = markersOf(jpeg);
  const wanted = jpegWasTransformed(jpeg, photometric);
  if (m.ids.length !== 3 || wanted === libjpegTransforms(m, jpeg)) return jpeg;
  const copy = new Uint8Array(jpeg);
  if (m.jfif !== undefined) copy[m.jfif] = 0x58; // 'X': no longer a JFIF marker to libjpeg
  if (m.adobe !== undefined) {
    copy[m.adobe] = wanted ? 1 : 0;
    return copy;
  }
  const out = new Uint8Array(copy.length + 16);
  out.set(copy.subarray(0, 2));
  out.set(adobeSegment(wanted ? 1 : 0), 2);
  out.set(copy.subarray(2), 18);
  return out;
}
