/**
 * A classification project over DICOM slices for the PACS tests: the synthetic
 * studies copied into `<dir>/cls/<label>/` (one folder per class, lesion or
 * normal) and `<dir>/cls.phiproj`: node `dataset`, then node `network`, a small
 * CNN (2 epochs).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { ProjectStore } from '../store/project-store';
import type { SyntheticStudy } from './dicom-studies';
import { GraphBuilder } from './pipeline';

/** Writes the dataset and the project (not trained); returns the project's path. */
export function writeDicomClassificationProject(dir: string, studies: SyntheticStudy[]): string {
  for (const study of studies) {
    mkdirSync(join(dir, 'cls', study.label), { recursive: true });
    copyFileSync(study.file, join(dir, 'cls', study.label, basename(study.file)));
  }
  const project = join(dir, 'cls.phiproj');
  ProjectStore.create(project, {
    graph: new GraphBuilder(createBuiltinRegistry())
      .chain(
        ['dataset', 'dataset', { path: 'cls', task: 'classification', splitByPatient: false }],
        [
          'network',
          'neural-network',
          { task: 'classification', architecture: 'small-cnn', epochs: 2, batchSize: 4 },
        ],
      )
      .build(),
  }).close();
  return project;
}
