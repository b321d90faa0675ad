/** Built-in image-processing modules: one import per module file. */
import type { ModuleNodeType } from '../graph/node-type';
import { colorToGrayscaleModule } from './color-to-grayscale';
import { resizeModule } from './resize';

/** Every built-in module. */
export const builtinModules: ModuleNodeType[] = [resizeModule, colorToGrayscaleModule];
