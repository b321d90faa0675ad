/**
 * Parameters of the Dataset node. The `.describe()` texts are the Parameter
 * tab's tooltips, so they are written for clinicians.
 */
import { z } from 'zod';
import { TASKS } from '../api/sample';

/** The concrete folder layouts the Dataset node understands; `auto` picks one from task and contents. */
export const LAYOUTS = [
  'auto',
  'class-folders',
  'csv',
  'one-hot-csv',
  'mask-folders',
  'detection-csv',
  'coco',
  'paired-folders',
  'mask-csv',
  'paired-csv',
  'msd',
  'nnunet',
] as const;

/** One of {@link LAYOUTS}. */
export type Layout = (typeof LAYOUTS)[number];

/** The Dataset node's params. */
export const datasetParamsSchema = z.object({
  path: z
    .string()
    .default('')
    .describe("Dataset folder: relative to the project file's folder, or an absolute path"),
  task: z
    .enum(TASKS)
    .default('classification')
    .describe(
      'What the network will learn: one class per image, a mask per pixel, boxes, or an output image',
    ),
  layout: z
    .enum(LAYOUTS)
    .default('auto')
    .describe(
      "How images and labels are arranged: 'auto' detects it; class-folders = <class>/<image> (or " +
        '<train|val|test>/<class>/<image>, keeping that split); csv = labels.csv ' +
        '(filename,class); one-hot-csv = filename plus one 0/1 column per class (multi-label); mask-folders = ' +
        'Dataset/ + Label/ masks matched by file name; detection-csv = filename,xmin,ymin,xmax,ymax,class; ' +
        'coco = COCO JSON; paired-folders = input/ + target/ images matched by file name; mask-csv and ' +
        'paired-csv = a CSV naming each image and its mask or target; msd = Medical Segmentation Decathlon ' +
        '(imagesTr/ + labelsTr/ + dataset.json; imagesTs/ is unlabelled and not trained on); nnunet = nnU-Net v2 ' +
        '(imagesTr/<case>_0000.nii.gz per channel + labelsTr/<case>.nii.gz + dataset.json)',
    ),
  labelsFile: z
    .string()
    .default('')
    .describe('Label file (CSV or COCO JSON) relative to the dataset folder; empty finds it automatically'),
  labelColumn: z
    .string()
    .default('')
    .describe(
      "Label CSV: the column that holds each image's class, by its header name (or its number counting from 1 " +
        'when the CSV has no header row); empty finds it from names like label, class or diagnosis',
    ),
  splitColumn: z
    .string()
    .default('')
    .describe(
      'Label CSV: the column that gives the split the data set comes with (train, validation, test); empty ' +
        "finds a column holding only those words; 'none' ignores it and splits by the shares below",
    ),
  classMap: z
    .string()
    .default('')
    .describe(
      "Segmentation: mask pixel value to class name, e.g. '0=background,255=lesion'; empty: 0/255 or 0/1 masks " +
        'are background/foreground, other masks hold class indices',
    ),
  volumes: z
    .enum(['volume', 'slices'])
    .default('volume')
    .describe(
      "3-D data (DICOM series, multi-frame files, NIfTI, multipage TIFF): 'volume' = one 3-D sample each, " +
        "'slices' = one 2-D sample per slice",
    ),
  volumeUnit: z
    .enum(['auto', 'HU', 'raw'])
    .default('auto')
    .describe(
      "Volume intensity unit of NIfTI volumes (a NIfTI file names no modality): 'auto' = HU when the MSD or " +
        'nnU-Net dataset.json names one CT channel ("modality": {"0": "CT"}), else raw; \'HU\' = the volumes are CT ' +
        "in Hounsfield units (HU windows and modules apply); 'raw' = values as stored. DICOM keeps its own unit",
    ),
  train: z.number().min(0).max(100).default(70).describe('Share of the data used for training, in percent'),
  validation: z
    .number()
    .min(0)
    .max(100)
    .default(15)
    .describe('Share of the data used for validation after each epoch, in percent'),
  test: z
    .number()
    .min(0)
    .max(100)
    .default(15)
    .describe('Share of the data held out for the final test, in percent'),
  splitByPatient: z
    .boolean()
    .default(true)
    .describe(
      'Keep all images of one patient (DICOM PatientID, else StudyInstanceUID) in the same split, so results are not ' +
        'inflated by the same patient in training and test',
    ),
  seed: z
    .number()
    .int()
    .min(0)
    .default(42)
    .describe('Random seed of the split: the same seed always gives the same split'),
});

/** Parsed Dataset node params. */
export type DatasetParams = z.infer<typeof datasetParamsSchema>;
