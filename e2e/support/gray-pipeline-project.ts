/** A project of two class folders of 24x24 images and Dataset -> Resize (16x16) -> Grayscale, opened in an engine. */
import { join } from 'node:path';
import { createBuiltinRegistry } from '../../src/engine/service/builtin-registry';
import type { Engine } from '../../src/engine/service/engine';
import { ProjectStore } from '../../src/engine/store/project-store';
import { GraphBuilder, writeClassFolders } from '../../src/engine/test-support/pipeline';

/** Writes the project under `dir` (images in `dir/scans`) and opens it in `engine`. */
export async function openGrayPipelineProject(engine: Engine, dir: string): Promise<void> {
  await writeClassFolders(join(dir, 'scans'), { classes: { a: 4, b: 4 }, size: [24, 24] });
  const path = join(dir, 'p.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(createBuiltinRegistry())
      .chain(
        ['data', 'dataset', { path: 'scans', splitByPatient: false }],
        ['resize', 'resize', { width: 16, height: 16, interpolation: 'bilinear' }],
        ['gray', 'color-to-grayscale', {}],
      )
      .build(),
  }).close();
  await engine.openProject({ path });
}
