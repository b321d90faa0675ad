/** Built-in image-processing modules: one import per module file, in palette order. */
import type { ModuleNodeType } from '../graph/node-type';
import { applyPaletteModule } from './apply-palette';
import { autoCropModule } from './auto-crop';
import { bitDepthConversionModule } from './bit-depth-conversion';
import { claheModule } from './clahe';
import { clipModule } from './clip';
import { colorToGrayscaleModule } from './color-to-grayscale';
import { cropModule } from './crop';
import { cropOrPadModule } from './crop-or-pad';
import { edgeDetectionModule } from './edge-detection';
import { elasticDeformationModule } from './elastic-deformation';
import { filterModule } from './filter';
import { flipModule } from './flip';
import { gammaCorrectionModule } from './gamma-correction';
import { gaussianBlurModule } from './gaussian-blur';
import { gaussianNoiseModule } from './gaussian-noise';
import { grayscaleToRgbModule } from './grayscale-to-rgb';
import { histogramEqualizationModule } from './histogram-equalization';
import { huClampModule } from './hu-clamp';
import { invertModule } from './invert';
import { invertMonochrome1Module } from './invert-monochrome1';
import { medianModule } from './median';
import { mergeModule } from './merge';
import { minMaxNormalizationModule } from './min-max-normalization';
import { morphologyModule } from './morphology';
import { padModule } from './pad';
import { percentileNormalizationModule } from './percentile-normalization';
import { randomAffineModule } from './random-affine';
import { randomBrightnessContrastModule } from './random-brightness-contrast';
import { randomFlipModule } from './random-flip';
import { randomRotationModule } from './random-rotation';
import { randomVolumeGeometryModule } from './random-volume-geometry';
import { resampleSpacingModule } from './resample-spacing';
import { reorientModule } from './reorient';
import { resizeModule } from './resize';
import { rotate90Module } from './rotate-90';
import { thresholdModule } from './threshold';
import { unsharpMaskModule } from './unsharp-mask';
import { windowSettingModule } from './window-setting';
import { zScoreNormalizationModule } from './z-score-normalization';

/** Every built-in module. */
export const builtinModules: ModuleNodeType[] = [
  // Geometry
  resizeModule,
  cropModule,
  cropOrPadModule,
  autoCropModule,
  padModule,
  flipModule,
  rotate90Module,
  resampleSpacingModule,
  reorientModule,
  // Color
  colorToGrayscaleModule,
  grayscaleToRgbModule,
  applyPaletteModule,
  // Intensity
  gammaCorrectionModule,
  histogramEqualizationModule,
  claheModule,
  minMaxNormalizationModule,
  zScoreNormalizationModule,
  percentileNormalizationModule,
  clipModule,
  invertModule,
  bitDepthConversionModule,
  // Medical
  windowSettingModule,
  huClampModule,
  invertMonochrome1Module,
  // Filter
  gaussianBlurModule,
  medianModule,
  unsharpMaskModule,
  thresholdModule,
  edgeDetectionModule,
  // Morphology
  morphologyModule,
  // Augmentation
  randomFlipModule,
  randomRotationModule,
  randomAffineModule,
  randomBrightnessContrastModule,
  gaussianNoiseModule,
  elasticDeformationModule,
  randomVolumeGeometryModule,
  // Data
  filterModule,
  mergeModule,
];
