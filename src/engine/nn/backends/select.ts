/**
 * Backend choice (docs/design.md section 6): `tensorflow` (tfjs-node-gpu, then
 * tfjs-node: optional dependencies, loaded only when installed), `webgpu`
 * (the `webgpu` package's Dawn), `wasm`, `cpu`; tried in that order unless
 * the user picks one. The chosen name is emitted and recorded with the run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../tf';

/** A backend the user may ask for. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Availability of one backend, for the status bar (`EngineInfo.backends`). */
export interface BackendStatus {
  name: string;
  available: boolean;
  reason?: string;
}

const ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
const failures = new Map<string, string>();

/** Dynamic import that a bundler or type checker does not resolve ahead of time. */
async function optionalImport(name: string): Promise<unknown> {
  const load = new Function('n', 'return import(n)') as (n: string) => Promise<unknown>;
  return load(name);
}

/** Loads tfjs-node-gpu or tfjs-node; they register the `tensorflow` backend. */
async function loadTensorflow(): Promise<void> {
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await optionalImport(pkg);
      if (tf.findBackendFactory('tensorflow')) return;
      errors.push(`${pkg} loaded but registered no backend`);
    } catch (e) {
      const err = e as Error & { code?: string };
      errors.push(
        err.code === 'ERR_MODULE_NOT_FOUND'
          ? `${pkg} is not installed`
          : `${pkg}: ${err.message.split('\n')[0]}`,
      );
    }
  }
  throw new Error(errors.join('; '));
}

/**
 * Whether the Vulkan loader that Dawn needs on Linux can be found. Without it
 * Dawn prints a native warning with a stack on stderr; asking the dynamic
 * linker's cache first turns that into a one-line reason.
 */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  const name = 'libvulkan.so.1';
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((d) => existsSync(join(d, name)))) return true;
  try {
    return execFileSync('/sbin/ldconfig', ['-p'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).includes(name);
  } catch {
    // No ldconfig to ask: let Dawn try.
    return true;
  }
}

/** Installs Dawn's WebGPU globals and the tf.js webgpu backend; refuses software adapters. */
async function loadWebgpu(): Promise<void> {
  if (tf.findBackendFactory('webgpu')) return;
  if (process.platform === 'linux' && !vulkanLoaderPresent())
    throw new Error('no Vulkan loader (libvulkan.so.1), which WebGPU needs on Linux');
  const dawn = (await optionalImport('webgpu')) as {
    create(options: string[]): {
      requestAdapter(): Promise<{ info?: { adapterType?: string; description?: string } } | null>;
    };
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (no GPU or driver)');
  if (adapter.info?.adapterType === 'cpu')
    throw new Error(`only a software adapter (${adapter.info.description ?? 'cpu'}): slower than wasm`);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await optionalImport('@tensorflow/tfjs-backend-webgpu');
}

/** Makes `name` loadable (imports its package); throws with the reason when it cannot. */
async function prepare(name: (typeof ORDER)[number]): Promise<void> {
  if (failures.has(name)) throw new Error(failures.get(name));
  try {
    if (name === 'tensorflow') await loadTensorflow();
    if (name === 'webgpu') await loadWebgpu();
  } catch (e) {
    failures.set(name, (e as Error).message);
    throw e;
  }
}

/** Backends whose unavailability was already told in this process. */
const reported = new Set<string>();

/**
 * Why `auto` passes over wasm for a network: a 3-D network needs a Conv3D kernel there.
 * Asked of tf.js at run time, so wasm is used by itself once such a kernel is registered.
 */
export function wasmMisfit(network: { volumetric?: boolean } = {}): string | undefined {
  if (!network.volumetric || tf.getKernel('Conv3D', 'wasm')) return undefined;
  return 'the 3-D network trains on the cpu backend because no Conv3D kernel is registered for wasm';
}

/**
 * Switches tf.js to the chosen backend (or the first that works) and returns its name.
 * `network.volumetric` (a 3-D network) makes `auto` skip wasm while it has no Conv3D kernel, saying so.
 */
export async function selectBackend(
  choice: BackendChoice,
  note?: (message: string) => void,
  network: { volumetric?: boolean } = {},
): Promise<string> {
  const candidates = choice === 'auto' ? [...ORDER] : [choice];
  for (const name of candidates) {
    const misfit = choice === 'auto' && name === 'wasm' ? wasmMisfit(network) : undefined;
    if (misfit) {
      note?.(misfit);
      continue;
    }
    try {
      await prepare(name);
      if (tf.getBackend() === name) return name;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      throw new Error('setBackend failed');
    } catch (e) {
      const reason = (e as Error).message;
      failures.set(name, reason);
      if (choice !== 'auto')
        throw new Error(`Backend ${name} is not available here: ${reason}`, { cause: e });
      // Falling back is normal on a machine without that hardware: said once per process, not as a warning.
      if (note && !reported.has(name)) {
        reported.add(name);
        note(`Backend ${name} unavailable: ${reason}`);
      }
    }
  }
  throw new Error('No tf.js backend could be initialised');
}

/** Which backends load on this machine, in automatic order (loads each once). */
export async function describeBackends(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const name of ORDER) {
    try {
      await prepare(name);
      out.push({ name, available: true });
    } catch (e) {
      out.push({ name, available: false, reason: (e as Error).message });
    }
  }
  return out;
}
