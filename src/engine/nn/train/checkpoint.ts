/**
 * Checkpoints as single files (`last.ckpt`, `best.ckpt`): a JSON header and
 * the raw float32 weights of the model (and optimizer), written to a temporary
 * file and renamed, so a crash, a kill or a full disk never leaves a
 * half-written checkpoint.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../run/disk-full';
import { tf } from '../tf';

/** Training state saved with the weights. */
export interface CheckpointMeta {
  /** Identifies params (minus epochs), network and data; resume only when equal. */
  trainingKey: string;
  /** Last completed epoch (1-based). */
  epoch: number;
  /** True when training ended (all epochs or early stop). */
  finished: boolean;
  bestValue: number | null;
  bestEpoch: number;
  /** Epochs without improvement (early stopping). */
  stale: number;
  /** True when early stopping ended the training. */
  stoppedEarly?: boolean;
  earlyValue: number | null;
  backend: string;
}

interface Header extends CheckpointMeta {
  tensors: { group: 'model' | 'optimizer'; name: string; shape: number[]; dtype: string; length: number }[];
}

/** Path of a named checkpoint. */
export function checkpointPath(dir: string, name: 'last' | 'best'): string {
  return join(dir, `${name}.ckpt`);
}

/** Saves model weights (and optimizer state) with the meta, atomically. */
export async function saveCheckpoint(
  path: string,
  meta: CheckpointMeta,
  model: { getWeights(): tf.Tensor[]; weights: { originalName: string }[] },
  optimizer?: tf.Optimizer,
): Promise<void> {
  const tensors: Header['tensors'] = [];
  const chunks: Buffer[] = [];
  const add = async (group: 'model' | 'optimizer', name: string, t: tf.Tensor): Promise<void> => {
    const data = (await t.data()) as Float32Array | Int32Array;
    tensors.push({ group, name, shape: t.shape, dtype: t.dtype, length: data.length });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  };
  const weights = model.getWeights();
  for (let i = 0; i < weights.length; i++) await add('model', model.weights[i].originalName, weights[i]);
  if (optimizer) {
    const state = await optimizer.getWeights();
    for (const s of state) await add('optimizer', s.name, s.tensor);
    // getWeights clones the iteration counter: release what it made.
    tf.dispose(state.filter((s) => s.name === 'iter').map((s) => s.tensor));
  }
  const header = Buffer.from(JSON.stringify({ ...meta, tensors } satisfies Header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileAtomically(path, Buffer.concat([len, header, ...chunks]), {
    folder: join(path, '..'),
    role: 'project',
  });
}

/** Reads only the meta of a checkpoint (not its weights); undefined when absent or unreadable. */
export function readCheckpointMeta(path: string): CheckpointMeta | undefined {
  if (!existsSync(path)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const len = Buffer.alloc(4);
    readSync(fd, len, 0, 4, 0);
    const header = Buffer.alloc(len.readUInt32LE(0));
    readSync(fd, header, 0, header.length, 4);
    const { tensors: _t, ...meta } = JSON.parse(header.toString('utf8')) as Header;
    return meta;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Loads weights into `model` (and state into `optimizer`); returns the meta. */
export async function loadCheckpoint(
  path: string,
  model: { setWeights(w: tf.Tensor[]): void; weights: { originalName: string }[] },
  optimizer?: tf.Optimizer,
): Promise<CheckpointMeta> {
  const buf = readFileSync(path);
  const n = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + n).toString('utf8')) as Header;
  let offset = 4 + n;
  const modelTensors: tf.Tensor[] = [];
  const optState: { name: string; tensor: tf.Tensor }[] = [];
  for (const t of header.tensors) {
    const bytes = buf.subarray(offset, offset + t.length * 4);
    offset += t.length * 4;
    const copy = new Uint8Array(bytes).buffer;
    const values = t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    const tensor = tf.tensor(values, t.shape, t.dtype as 'float32' | 'int32');
    if (t.group === 'model') modelTensors.push(tensor);
    else optState.push({ name: t.name, tensor });
  }
  if (modelTensors.length !== model.weights.length)
    throw new Error(
      `Checkpoint ${path} holds ${modelTensors.length} weights, the network has ${model.weights.length}`,
    );
  model.setWeights(modelTensors);
  tf.dispose(modelTensors);
  if (optimizer && optState.length) {
    await optimizer.setWeights(optState);
    tf.dispose(optState.map((s) => s.tensor));
  }
  const { tensors: _t, ...meta } = header;
  return meta;
}
