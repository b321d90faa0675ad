/**
 * Python custom modules through the engine service as the editor uses it
 * (saveCustomModule), in a pipeline on real CT slices (the example's DICOM
 * files, int16 Hounsfield Units): the same pixels as the TypeScript
 * equivalent, print to the run log, None leaving samples out, the cache, and
 * the trust gate that keeps an untrusted project's Python from running at all.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNode, Sample } from '../../api';
import type { CustomModuleInfo } from '../../api/requests';
import { resourcesDir } from '../../resources';
import { createBuiltinRegistry } from '../../service/builtin-registry';
import { Engine } from '../../service/engine';
import { ProjectStore } from '../../store/project-store';
import { EventLog, GraphBuilder, tempDir } from '../../test-support/pipeline';
import { TrustList } from '../trust-list';

const info = {
  category: 'My modules',
  modality: 'CT',
  dims: '2d',
  description: 'Soft-tissue window',
} as const;

const PY_WINDOW: CustomModuleInfo = {
  ...info,
  id: 'my-py-window',
  title: 'HU window (Python)',
  language: 'python',
  source: `import numpy as np

PARAMS = {
    "center": {"type": "number", "default": 40, "description": "Window centre in HU"},
    "width": {"type": "number", "default": 400, "min": 1, "description": "Window width in HU"},
}


def run(data, params, ctx):
    image = data["image"]
    print("window", image.dtype, image.shape)
    low = params["center"] - params["width"] / 2
    data["image"] = np.clip((image - low) / params["width"], 0, 1).astype(np.float32)
    data["unit"] = "normalized"
    return data
`,
};

const TS_WINDOW: CustomModuleInfo = {
  ...info,
  id: 'my-ts-window',
  title: 'HU window (TypeScript)',
  language: 'typescript',
  source: `export default defineModule({
  params: z.object({
    center: z.number().default(40),
    width: z.number().min(1).default(400),
  }),
  run(data, params) {
    const pixels = data.image.data;
    const low = params.center - params.width / 2;
    const out = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) out[i] = Math.min(1, Math.max(0, (pixels[i] - low) / params.width));
    data.image.data = out;
    data.image.unit = 'normalized';
    return data;
  },
});
`,
};

let dir: string;
/** What the module's top-level code prints (it cannot leave a file: Python runs in a read-only box). */
const TOP_LEVEL_RAN = 'top-level code of Lesions only ran';
let engine: Engine;
const log = new EventLog();

/** Lesion slices only: normal ones are left out (None), and the module's top-level code prints a line. */
function lesionsOnly(): CustomModuleInfo {
  return {
    ...info,
    id: 'my-py-lesions',
    title: 'Lesions only',
    language: 'python',
    source: `print(${JSON.stringify(TOP_LEVEL_RAN)})

def run(data, params, ctx):
    return data if data["id"].startswith("lesion/") else None
`,
  };
}

function customNode(id: string, type: string, x: number): GraphNode {
  return { id, kind: 'module', type, version: 1, params: {}, position: { x, y: 200 } };
}

/** The cached output of a node (the engine's own reader; tests compare exact pixels). */
function output(node: string, sampleId: string): Promise<Sample> {
  const { session } = engine as unknown as {
    session: { outputSample(n: string, s: string): Promise<Sample> };
  };
  return session.outputSample(node, sampleId);
}

beforeAll(async () => {
  dir = tempDir('phi-python-pipeline-');
  const examples = resourcesDir('examples/lesions/data');
  for (const cls of ['lesion', 'normal']) {
    mkdirSync(join(dir, 'data', cls), { recursive: true });
    for (const file of readdirSync(join(examples, cls)).sort().slice(0, 3))
      copyFileSync(join(examples, cls, file), join(dir, 'data', cls, file));
  }
  const graph = new GraphBuilder(createBuiltinRegistry())
    .node('data', 'dataset', { path: 'data', splitByPatient: false })
    .build();
  graph.nodes.push(
    customNode('py', PY_WINDOW.id, 240),
    customNode('ts', TS_WINDOW.id, 480),
    customNode('some', 'my-py-lesions', 720),
  );
  graph.edges.push(
    { id: 'e1', source: 'data', target: 'py', targetPort: 'in' },
    { id: 'e2', source: 'data', target: 'ts', targetPort: 'in' },
    { id: 'e3', source: 'data', target: 'some', targetPort: 'in' },
  );
  ProjectStore.create(join(dir, 'ct.phiproj'), { graph }).close();
  engine = new Engine({ cacheDir: join(dir, 'cache'), trustList: new TrustList(join(dir, 'trust.json')) });
  engine.onDidEmit(log.listener);
  await engine.openProject({ path: join(dir, 'ct.phiproj') });
});

afterAll(() => {
  engine?.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

describe('a Python custom module in a pipeline', () => {
  it("is saved with its PARAMS on the Parameter tab and gives the TypeScript module's pixels, int16 in, float32 out", async () => {
    const saved = await engine.saveCustomModule(PY_WINDOW);
    expect(saved.problems).toEqual([]);
    expect(saved.descriptor).toMatchObject({
      id: 'my-py-window',
      origin: 'my',
      params: {
        properties: {
          center: { type: 'number', default: 40, description: 'Window centre in HU' },
          width: { type: 'number', default: 400, minimum: 1 },
        },
      },
    });
    expect((await engine.saveCustomModule(TS_WINDOW)).ok).toBe(true);
    expect((await engine.saveCustomModule(lesionsOnly())).ok).toBe(true);
    expect((await engine.listCustomModules()).map((m) => [m.id, m.language, m.trusted])).toEqual([
      ['my-py-lesions', 'python', true],
      ['my-py-window', 'python', true],
      ['my-ts-window', 'typescript', true],
    ]);

    const result = await engine.run({ mode: 'all' });
    expect(result.errors).toEqual([]);
    expect(result.ran).toEqual(expect.arrayContaining(['py', 'ts', 'some']));
    const inputs = await engine.listFiles({ node: 'data' });
    expect(inputs.total).toBe(6);
    expect(inputs.items[0]).toMatchObject({ dtype: 'int16' });
    const files = await engine.listFiles({ node: 'py' });
    expect(files.total).toBe(6);
    for (const item of files.items) {
      expect(item).toMatchObject({ dtype: 'float32', state: 'done', colorMode: 'grayscale' });
      const [py, ts, input] = await Promise.all([
        output('py', item.id),
        output('ts', item.id),
        output('data', item.id),
      ]);
      expect(input.image.unit).toBe('HU');
      expect(py.image.data).toBeInstanceOf(Float32Array);
      expect(py.image.shape).toEqual(input.image.shape);
      expect(py.image.unit).toBe('normalized');
      expect(Buffer.from(py.image.data.buffer).equals(Buffer.from(ts.image.data.buffer))).toBe(true);
      // A real window: some pixels clipped at each end, some in between.
      const values = Array.from(py.image.data);
      expect(values.some((v) => v === 0) && values.some((v) => v > 0 && v < 1)).toBe(true);
    }

    // print() reaches the run log, with the node and the sample.
    const lines = log.of('log').filter((e) => e.node === 'py');
    const shapes = new Map(files.items.map((i) => [i.id, i.shape.slice(0, 2).join(', ')]));
    expect(lines.map((l) => l.message).sort()).toEqual(
      [...shapes].map(([id, hw]) => `${id}: window int16 (${hw}, 1)`).sort(),
    );

    // None leaves the normal slices out.
    const some = await engine.listFiles({ node: 'some' });
    expect(some.items.filter((i) => i.state === 'done').map((i) => i.id.split('/')[0])).toEqual([
      'lesion',
      'lesion',
      'lesion',
    ]);

    // Unchanged: served from the cache; a new source is a new version and runs again.
    expect((await engine.run({ mode: 'all' })).ran).toEqual([]);
    await engine.saveCustomModule({
      ...PY_WINDOW,
      source: PY_WINDOW.source.replace('"default": 40', '"default": 50'),
    });
    const again = await engine.run({ mode: 'all' });
    expect(again.ran).toEqual(['py']);
  });

  it('never runs a Python module of a project this computer does not trust, until it is trusted', async () => {
    engine.closeProject();
    const stranger = new Engine({
      cacheDir: join(dir, 'cache'),
      trustList: new TrustList(join(dir, 'other.json')),
    });
    const seen = new EventLog();
    stranger.onDidEmit(seen.listener);
    const ran = () => seen.of('log').some((e) => e.message === TOP_LEVEL_RAN);
    const snapshot = await stranger.openProject({ path: join(dir, 'ct.phiproj') });
    expect(ran()).toBe(false);
    expect(snapshot.issues).toContainEqual(
      expect.objectContaining({
        node: 'some',
        message: expect.stringMatching(
          /^This project has custom code that is not trusted on this computer: .*"Lesions only".*\. Review it and trust it to run\.$/,
        ),
      }),
    );
    await stranger.trustProject({ trusted: true });
    expect(ran()).toBe(true);
    expect(stranger.registry.get('my-py-lesions')).toBeDefined();
    stranger.closeProject();
  });
});
