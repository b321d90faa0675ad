/**
 * The View tab's volumes: the engine serves one slice of one plane at a time (never the
 * whole volume), as a PNG or as raw float32 values, with its pixel spacing, what the sides
 * are, and the label and prediction overlays of that slice (docs/ui.md, "Volumes").
 */
import { z } from 'zod';
import type { EncodedImage } from './requests';

/** The display planes of a volume. */
export const VOLUME_PLANES = ['axial', 'coronal', 'sagittal'] as const;
/** One of {@link VOLUME_PLANES}. */
export type VolumePlane = (typeof VOLUME_PLANES)[number];

/** Params of `getVolumeSlice`. */
export const VolumeSliceRequestSchema = z.object({
  node: z.string(),
  sampleId: z.string(),
  plane: z.enum(VOLUME_PLANES).default('axial'),
  /** Slice index in the plane (0 = inferior, posterior or left); the middle slice when absent. */
  index: z.number().int().nonnegative().optional(),
  /** Display window in the image's unit; the volume's min..max when absent. */
  window: z.object({ center: z.number(), width: z.number().positive() }).optional(),
  /** `png`: an 8-bit windowed picture; `raw`: the slice's values as float32 (base64), unwindowed. */
  format: z.enum(['png', 'raw']).default('png'),
});

/** Which way a slice faces: from the volume's affine (sides named), or the stored axes (no side known). */
export interface VolumeOrientation {
  source: 'affine' | 'stored';
  /** Patient sides at the slice's edges (R, L, A, P, S, I); empty when unknown. */
  sides: { top: string; bottom: string; left: string; right: string };
}

/** A class in an overlay's legend, with its colour. */
export interface OverlayClass {
  index: number;
  name: string;
  /** `#rrggbb`. */
  color: string;
}

/** One slice of a volume for the View tab. */
export interface VolumeSlice {
  sampleId: string;
  plane: VolumePlane;
  index: number;
  /** Slices in this plane. */
  count: number;
  /** Pixels of the slice (rows x columns), before any scaling for display. */
  width: number;
  height: number;
  /** Millimetres between rows and between columns; absent when the volume has no spacing. */
  pixelSpacing?: [number, number];
  orientation: VolumeOrientation;
  /** The whole volume's value range and unit (for window/level). */
  min: number;
  max: number;
  unit?: string;
  /** The slice as a PNG (`format: 'png'`), windowed. */
  image?: EncodedImage;
  /** The slice's values (`format: 'raw'`): float32 little-endian, row by row, base64. */
  raw?: string;
  /** The item's label mask on this slice: class colours, transparent background. */
  label?: EncodedImage;
  /** The network's predicted mask on this slice (a network node), same colours. */
  prediction?: EncodedImage;
  /** Class names and colours of the overlays (background has no colour and is left out). */
  legend: OverlayClass[];
  /** A classifier's probabilities for the whole volume, with the class names of `classes`. */
  probabilities?: number[];
  /** A 3-D classifier's Grad-CAM on this slice (a heat map, opaque) for class `gradCamClass`, the predicted one. */
  gradCam?: EncodedImage;
  gradCamClass?: number;
  classes: string[];
  /** Why an overlay the user might expect is not there (e.g. Grad-CAM of a 3-D network). */
  notes: string[];
  /** Set when the prediction's model is a Sample RUN's: the items it trained on. */
  fromSample?: number;
}
