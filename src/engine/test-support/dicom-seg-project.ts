/**
 * A segmentation project over DICOM slices for the PACS tests: the synthetic
 * studies copied into `<dir>/seg/Dataset/` with their lesion masks in
 * `<dir>/seg/Label/`, and `<dir>/seg.phiproj`: node `dataset`, then node `network`, a small
 * U-Net (2 epochs).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { ProjectStore } from '../store/project-store';
import { writeLesionMasks, type SyntheticStudy } from './dicom-studies';
import { GraphBuilder } from './pipeline';

/** Writes the dataset and the project (not trained); returns the project's path. */
export async function writeDicomSegProject(dir: string, studies: SyntheticStudy[]): Promise<string> {
  mkdirSync(join(dir, 'seg', 'Dataset'), { recursive: true });
  for (const study of studies) copyFileSync(study.file, join(dir, 'seg', 'Dataset', basename(study.file)));
  await writeLesionMasks(studies, join(dir, 'seg', 'Label'));
  const project = join(dir, 'seg.phiproj');
  ProjectStore.create(project, {
    graph: new GraphBuilder(createBuiltinRegistry())
      .chain(
        ['dataset', 'dataset', { path: 'seg', task: 'segmentation', splitByPatient: false }],
        [
          'network',
          'neural-network',
          { task: 'segmentation', architecture: 'unet', epochs: 2, batchSize: 4, baseFilters: 4, depth: 2 },
        ],
      )
      .build(),
  }).close();
  return project;
}
