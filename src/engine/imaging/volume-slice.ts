/**
 * One slice of a volume in a display plane, as radiology viewers show it: the voxel axis
 * closest to each world axis (RAS+, from the NIfTI affine; nibabel's `as_closest_canonical`)
 * is reoriented, then axial slices show anterior at the top and the patient's right on the
 * left, coronal ones superior at the top and right on the left, sagittal ones superior at the
 * top and anterior on the left. Slice 0 is the most inferior (axial), posterior (coronal) or
 * left (sagittal) one. Without a usable affine the planes are the stored axes (axial = the
 * slices as stored, rows and columns as stored) and no side is named (docs/ui.md, "Volumes").
 */
import type { ImageData, Sample, VolumePlane, VolumeOrientation } from '../api';
import { geometry } from './image';

/** Voxel axes of a `[d, h, w, c]` array: 0 = slices (NIfTI k), 1 = rows (j), 2 = columns (i). */
type VoxelAxis = 0 | 1 | 2;

/** Per world axis (R, A, S): the voxel axis that runs along it and whether it runs backwards. */
export interface WorldAxes {
  voxel: [VoxelAxis, VoxelAxis, VoxelAxis];
  reversed: [boolean, boolean, boolean];
  /** From the affine, or the stored axes taken as they are. */
  source: 'affine' | 'stored';
}

/** The stored axes read as DICOM stores an axial series: columns to the left, rows to the back, slices upwards. */
const STORED_AXES: WorldAxes = { voxel: [2, 1, 0], reversed: [true, true, false], source: 'stored' };

/**
 * World axes of a 4x4 voxel-to-RAS affine whose columns are NIfTI's (i, j, k): the largest
 * remaining entry first, as nibabel's `io_orientation` does for affines without shear.
 */
export function worldAxesOfAffine(affine: number[][]): WorldAxes {
  const voxelOfColumn: VoxelAxis[] = [2, 1, 0];
  const voxel: VoxelAxis[] = [0, 0, 0];
  const reversed = [false, false, false];
  const freeRows = new Set([0, 1, 2]);
  const freeColumns = new Set([0, 1, 2]);
  while (freeRows.size) {
    let best = { row: -1, column: -1, size: -1 };
    for (const row of freeRows)
      for (const column of freeColumns) {
        const size = Math.abs(affine[row][column]);
        if (size > best.size) best = { row, column, size };
      }
    voxel[best.row] = voxelOfColumn[best.column];
    reversed[best.row] = affine[best.row][best.column] < 0;
    freeRows.delete(best.row);
    freeColumns.delete(best.column);
  }
  return {
    voxel: voxel as WorldAxes['voxel'],
    reversed: reversed as WorldAxes['reversed'],
    source: 'affine',
  };
}

function usableAffine(value: unknown): value is number[][] {
  if (!Array.isArray(value) || value.length < 3) return false;
  const rows = value.slice(0, 3) as unknown[];
  if (!rows.every((r) => Array.isArray(r) && r.length >= 3 && r.slice(0, 3).every(Number.isFinite)))
    return false;
  const m = rows as number[][];
  const det =
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  return Math.abs(det) > 1e-12;
}

/**
 * The world axes of a sample: its affine's while the modules it went through kept the axes'
 * directions (crops, pads and resizes: positive scales, no rotation or flip); else the stored axes.
 */
export function worldAxesOf(sample: Pick<Sample, 'meta' | 'geometry'>): WorldAxes {
  const affine = sample.meta.affine;
  const keptDirections = (sample.geometry ?? []).every(
    (step) =>
      step.affine[0] > 0 &&
      step.affine[1] === 0 &&
      step.affine[3] === 0 &&
      step.affine[4] > 0 &&
      (step.depth === undefined || step.depth.scale > 0),
  );
  return usableAffine(affine) && keptDirections ? worldAxesOfAffine(affine) : STORED_AXES;
}

/** The world axis a plane's slices are taken along, and the world axes of its rows (down) and columns (right). */
const PLANES: Record<VolumePlane, { across: 0 | 1 | 2; rows: 0 | 1 | 2; columns: 0 | 1 | 2 }> = {
  axial: { across: 2, rows: 1, columns: 0 },
  coronal: { across: 1, rows: 2, columns: 0 },
  sagittal: { across: 0, rows: 2, columns: 1 },
};

/** Side names at the top, bottom, left and right of each plane. */
const SIDES: Record<VolumePlane, VolumeOrientation['sides']> = {
  axial: { top: 'A', bottom: 'P', left: 'R', right: 'L' },
  coronal: { top: 'S', bottom: 'I', left: 'R', right: 'L' },
  sagittal: { top: 'S', bottom: 'I', left: 'A', right: 'P' },
};

/** Where a plane's pixels come from: the voxel axes and strides of slices, rows and columns. */
export interface PlaneLayout {
  count: number;
  height: number;
  width: number;
  /** Millimetres between rows and between columns, when the volume's spacing is known. */
  pixelSpacing?: [number, number];
  orientation: VolumeOrientation;
  /** Flat index of voxel (slice s, row r, column c) of this plane, channel 0. */
  voxelIndex(s: number, r: number, c: number): number;
}

/** See {@link PlaneLayout}. */
export function planeLayout(
  image: Pick<ImageData, 'shape' | 'data' | 'spacing'>,
  axes: WorldAxes,
  plane: VolumePlane,
): PlaneLayout {
  const g = geometry(image);
  if (image.shape.length !== 4) throw new Error('Only volumes ([d, h, w, c]) have planes');
  const sizes = [g.depth, g.height, g.width];
  const strides = [g.height * g.width * g.channels, g.width * g.channels, g.channels];
  const { across, rows, columns } = PLANES[plane];
  // Along the slice axis index 0 is the low end (inferior, posterior, left); rows and columns
  // start at the high end: superior or anterior at the top, the patient's right or anterior on the left.
  const axis = (world: 0 | 1 | 2, highFirst: boolean): { size: number; start: number; step: number } => {
    const v = axes.voxel[world];
    const backwards = axes.reversed[world] !== highFirst;
    const size = sizes[v];
    return backwards
      ? { size, start: (size - 1) * strides[v], step: -strides[v] }
      : { size, start: 0, step: strides[v] };
  };
  const s = axis(across, false);
  const r = axis(rows, true);
  const c = axis(columns, true);
  const spacing = image.spacing?.length === 3 ? image.spacing : undefined;
  return {
    count: s.size,
    height: r.size,
    width: c.size,
    ...(spacing
      ? { pixelSpacing: [spacing[axes.voxel[rows]], spacing[axes.voxel[columns]]] as [number, number] }
      : {}),
    orientation:
      axes.source === 'affine'
        ? { source: 'affine', sides: SIDES[plane] }
        : { source: 'stored', sides: { top: '', bottom: '', left: '', right: '' } },
    voxelIndex: (si, ri, ci) => s.start + si * s.step + r.start + ri * r.step + c.start + ci * c.step,
  };
}

/** Values of slice `index` of a plane, channel `channel`, row by row. */
export function sliceValues(
  data: ArrayLike<number>,
  layout: PlaneLayout,
  index: number,
  channel = 0,
): Float32Array {
  if (!Number.isInteger(index) || index < 0 || index >= layout.count)
    throw new Error(`Slice ${index} does not exist: this plane has slices 0 to ${layout.count - 1}`);
  const out = new Float32Array(layout.height * layout.width);
  for (let r = 0; r < layout.height; r++)
    for (let c = 0; c < layout.width; c++)
      out[r * layout.width + c] = data[layout.voxelIndex(index, r, c) + channel];
  return out;
}
