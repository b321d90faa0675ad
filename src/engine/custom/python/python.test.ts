/**
 * Python custom modules against the real interpreter (python3 with numpy):
 * the template as the wizard writes it, dtypes and shapes both ways, problems
 * with the user's lines, print and stderr to the log, None, the time limit,
 * PARAMS to the Parameter tab, and the "no numpy" problem.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../api';
import type { CustomModuleInfo } from '../../api/requests';
import type { ModuleContext } from '../../graph/node-type';
import { describeNodeType } from '../../graph/registry';
import { tempDir } from '../../test-support/pipeline';
import { compileCustomModule, type CompileOptions, type CustomModuleNodeType } from '../compile';
import { customModuleTemplate } from '../template';

const made: CustomModuleNodeType[] = [];
const dir = tempDir('phi-python-');
afterAll(async () => {
  await Promise.all(made.map((t) => t.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

const base: Omit<CustomModuleInfo, 'source'> = {
  id: 'my-py',
  title: 'Py',
  category: 'My modules',
  modality: 'CT',
  dims: '2d',
  description: '',
  language: 'python',
};

async function compiled(source: string, options: CompileOptions = {}, dims: '2d' | '3d' = '2d') {
  const result = await compileCustomModule({ ...base, dims, source }, options);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  made.push(result.nodeType);
  return result.nodeType;
}

async function problems(source: string) {
  const result = await compileCustomModule({ ...base, source });
  if (result.ok) {
    await result.nodeType.dispose();
    throw new Error('expected problems');
  }
  return result.problems;
}

const ctx: ModuleContext = { nodeId: 'n1', rng: () => 0.25, inputs: {} };

function ct(id: string, values: number[], shape = [2, values.length / 2, 1]): Sample {
  return {
    id,
    split: 'train',
    image: { data: Int16Array.from(values), shape, colorMode: 'grayscale', unit: 'HU', spacing: [0.7, 0.7] },
    label: { kind: 'class', index: 1 },
    meta: { PatientID: 'p1' },
  };
}

function run(type: CustomModuleNodeType, sample: Sample, params: Record<string, unknown> = {}) {
  return type.run(sample, type.params.parse(params), ctx);
}

describe('Python custom modules', () => {
  it('compiles the wizard template, and its HU example uncommented gives the window from PARAMS defaults', async () => {
    const template = customModuleTemplate({
      ...base,
      title: 'HU window',
      description: 'Soft tissue.\nCT only.',
    });
    expect(template).toMatch(/^# HU window: a custom image-processing module/);
    expect(template).toContain('# Soft tissue.\n# CT only.');
    expect(template).toContain('shaped (height, width, channels)');
    const plain = await compiled(template);
    const untouched = await run(plain, ct('a', [-1000, 40]));
    expect(untouched?.image.data).toEqual(Int16Array.from([-1000, 40]));

    const example = template.replace(
      /^(\s*)#\s*("center"|"width"|low =|data\["image"\] =|data\["unit"\] =)/gm,
      '$1$2',
    );
    const hu = await compiled(example);
    expect(describeNodeType(hu).params).toMatchObject({
      properties: {
        center: { type: 'number', default: 40, description: 'Window centre in HU (40 for soft tissue)' },
        width: { type: 'number', default: 400, minimum: 1 },
      },
    });
    const out = await run(hu, ct('a', [-1000, -160, 40, 240, 2000, 0]));
    expect(out?.image.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out?.image.data ?? [])).toEqual([0, 0, 0.5, 1, 1, Math.fround(0.4)]);
    expect(out).toMatchObject({
      id: 'a',
      split: 'train',
      image: { shape: [2, 3, 1], colorMode: 'grayscale', unit: 'normalized', spacing: [0.7, 0.7] },
      label: { kind: 'class', index: 1 },
      meta: { PatientID: 'p1' },
    });
    const types = await compiled(
      'PARAMS = {"x": {"default": 2}, "n": {"type": int, "default": 3}}\n' +
        'def run(data, params, ctx):\n    data["meta"] = {"types": [type(params["x"]).__name__, type(params["n"]).__name__]}\n    return data\n',
    );
    // A whole "number" arrives as a float, so int16 * params["x"] is not int16 arithmetic.
    expect((await run(types, ct('t', [1, 2])))?.meta.types).toEqual(['float', 'int']);
    const narrow = await run(hu, ct('a', [-10, 90]), { width: 100 });
    expect(Array.from(narrow?.image.data ?? [])).toEqual([0, 1]);
    expect(hu.params.safeParse({ width: 0 }).success).toBe(false);
  });

  it('rebuilds every dtype and 2-D / 3-D shape in numpy, and brings back what run returns', async () => {
    const type = await compiled(
      [
        'import numpy as np',
        'def run(data, params, ctx):',
        '    img = data["image"]',
        '    mask = data["label"]["mask"]',
        '    data["meta"] = {"seen": [str(img.dtype), list(img.shape), float(img.sum()), str(mask.dtype), list(mask.shape)]}',
        '    data["image"] = (img[..., 0] * 2).astype(img.dtype)',
        '    data["label"]["mask"] = mask[::-1].copy()',
        '    return data',
      ].join('\n'),
      {},
      '3d',
    );
    const cases = [
      new Float32Array([0.5, -1.25, 3, 4, 5, 6, 7, 8]),
      new Uint8Array([1, 2, 3, 4, 5, 6, 7, 100]),
      new Uint16Array([1, 2, 3, 4, 5, 6, 7, 30000]),
      new Int16Array([-1000, 2, 3, 4, 5, 6, 7, 8]),
    ];
    for (const data of cases) {
      const mask = new Uint8Array([0, 1, 0, 1, 1, 1, 0, 0]);
      const sample: Sample = {
        id: 'vol',
        image: { data, shape: [2, 2, 2, 1], colorMode: 'grayscale' },
        label: { kind: 'mask', mask: { data: mask, shape: [2, 2, 2, 1], colorMode: 'grayscale' } },
        meta: {},
      };
      const out = await run(type, sample);
      const sum = Array.from(data).reduce((a, b) => a + b, 0);
      expect(out?.meta.seen).toEqual([
        data.constructor.name.replace('Array', '').toLowerCase(),
        [2, 2, 2, 1],
        sum,
        'uint8',
        [2, 2, 2, 1],
      ]);
      expect(out?.image.data).toBeInstanceOf(data.constructor);
      expect(out?.image.shape).toEqual([2, 2, 2, 1]);
      expect(Array.from(out?.image.data ?? [])).toEqual(Array.from(data.map((v) => v * 2)));
      expect(out?.label).toMatchObject({ kind: 'mask', mask: { shape: [2, 2, 2, 1] } });
      const back = out?.label?.kind === 'mask' ? Array.from(out.label.mask.data) : [];
      expect(back).toEqual([1, 1, 0, 0, 0, 1, 0, 1]);
    }
    // The input sample is left as it was (it may be cached, or shown as "before").
    const sample = ct('same', [1, 2]);
    await run(type, {
      ...sample,
      image: { ...sample.image, shape: [1, 1, 2, 1] },
      label: { kind: 'mask', mask: { ...sample.image, shape: [1, 1, 2, 1] } },
    });
    expect(Array.from(sample.image.data)).toEqual([1, 2]);
  });

  it("gives a syntax error the line and column of the source, and a PARAMS mistake its entry's line", async () => {
    expect(
      await problems('import numpy as np\n\ndef run(data, params, ctx):\n    return data[\n\nx = 1)\n'),
    ).toEqual([expect.objectContaining({ line: 6, message: expect.stringMatching(/^SyntaxError: /) })]);
    const indented = await problems('def run(data, params, ctx):\nreturn data\n');
    expect(indented[0]).toMatchObject({
      line: 2,
      column: 1,
      message: expect.stringMatching(/^IndentationError/),
    });

    const params = await problems(
      [
        'PARAMS = {',
        '    "center": {"type": "number", "default": 40},',
        '    "width": {"type": "number", "deafult": 400},',
        '    "mode": {"choices": ["soft", "bone"], "default": "lung"},',
        '    "n": {"type": int},',
        '}',
        'def run(data, params, ctx):',
        '    return data',
      ].join('\n'),
    );
    expect(params).toEqual([
      {
        line: 3,
        column: 1,
        message: expect.stringMatching(/PARAMS\["width"\]: unknown key 'deafult' \(known: type, default/),
      },
      {
        line: 4,
        column: 1,
        message: expect.stringMatching(/PARAMS\["mode"\]\["default"\] 'lung' is not one of the choices/),
      },
      { line: 5, column: 1, message: expect.stringMatching(/PARAMS\["n"\] needs a "default"/) },
    ]);
    const bounds = await problems(
      'PARAMS = {\n    "w": {"default": 0, "min": 1},\n}\ndef run(data, params, ctx):\n    return data\n',
    );
    expect(bounds).toEqual([
      { line: 2, column: 1, message: expect.stringMatching(/^Parameter "w": the default 0/) },
    ]);
    expect(await problems('PARAMS = {}\n')).toEqual([
      { line: 0, column: 0, message: 'The module must define run(data, params, ctx)' },
    ]);
    expect(
      await problems('import numpy as np\nraise ValueError("at load")\ndef run(d, p, c):\n    return d\n'),
    ).toEqual([{ line: 2, column: 1, message: 'ValueError: at load' }]);
  });

  it("reports an exception with the line in the user's file and its traceback in the log", async () => {
    const logs: string[][] = [];
    const type = await compiled(
      [
        'def helper(x):',
        '    return x / 0',
        '',
        'def run(data, params, ctx):',
        '    print("before")',
        '    return helper(1)',
      ].join('\n'),
      { onLog: (sampleId, lines, nodeId) => logs.push([sampleId, nodeId, ...lines]) },
    );
    await expect(run(type, ct('scan-7', [1, 2]))).rejects.toThrow(
      'Custom module "Py" (my-py) failed on sample "scan-7": ZeroDivisionError: division by zero (line 2, column 12)',
    );
    const [entry] = logs;
    expect(entry.slice(0, 3)).toEqual(['scan-7', 'n1', 'before']);
    expect(entry.join('\n')).toMatch(
      /File "my-py.py", line 6, in run[\s\S]*line 2, in helper[\s\S]*ZeroDivisionError/,
    );
    // The process survived: the next sample runs in it.
    const pid = type.sandboxStats().pid;
    await expect(run(type, ct('scan-8', [1, 2]))).rejects.toThrow(/scan-8/);
    expect(type.sandboxStats()).toMatchObject({ workersStarted: 1, pid });
  });

  it('sends print lines and stderr to the log, never into the protocol; None leaves the sample out', async () => {
    const logs: [string, string, string][] = [];
    const type = await compiled(
      [
        'import os, sys',
        'print("loading")',
        'def run(data, params, ctx):',
        '    print("sample", data["id"], data["split"], ctx.node_id)',
        '    os.write(1, b"raw fd 1\\n")',
        '    sys.stderr.write("warn " + data["id"] + "\\n"); sys.stderr.flush()',
        '    return None if data["id"] == "drop" else data',
      ].join('\n'),
      { onLog: (sampleId, lines, nodeId) => lines.forEach((l) => logs.push([sampleId, nodeId, l])) },
    );
    expect(await run(type, ct('drop', [1, 2]))).toBeNull();
    const kept = await run(type, ct('keep', [3, 4]));
    expect(Array.from(kept?.image.data ?? [])).toEqual([3, 4]);
    await type.dispose(); // stderr is drained by the time the process has exited
    expect(logs).toContainEqual(['', '', 'loading']);
    expect(logs).toContainEqual(['drop', 'n1', 'sample drop train n1']);
    expect(logs).toContainEqual(['keep', 'n1', 'sample keep train n1']);
    for (const line of ['raw fd 1', 'warn drop', 'warn keep'])
      expect(logs.map(([, , l]) => l)).toContain(line);
  });

  it('refuses float64 and other dtypes with a hint, and a non-dict return', async () => {
    const type = await compiled(
      [
        'import numpy as np',
        'def run(data, params, ctx):',
        '    if data["id"] == "f64": data["image"] = data["image"] / 2',
        '    if data["id"] == "list": return [1]',
        '    return data',
      ].join('\n'),
    );
    await expect(run(type, ct('f64', [1, 2]))).rejects.toThrow(
      /data\['image'\] is a float64 array: arrays must be float32, uint8, uint16 or int16 \(e\.g\. \.astype\(np\.float32\)\)/,
    );
    await expect(run(type, ct('list', [1, 2]))).rejects.toThrow(
      /must return the sample \(data\) or None, got list/,
    );
  });

  it('kills an endless loop at the time limit and restarts for the next sample', async () => {
    const type = await compiled(
      'def run(data, params, ctx):\n    while data["id"] == "loop":\n        pass\n    return data\n',
      { limits: { timeoutMs: 700 } },
    );
    await expect(run(type, ct('loop', [1, 2]))).rejects.toThrow(
      'Custom module "Py" (my-py) took longer than 700 ms on sample "loop" and was stopped (an endless loop?); it restarts for the next sample',
    );
    const after = await run(type, ct('ok', [5, 6]));
    expect(Array.from(after?.image.data ?? [])).toEqual([5, 6]);
    expect(type.sandboxStats().workersStarted).toBe(2);
  });

  it('fails a sample that allocates past the memory budget with a MemoryError, and goes on', async () => {
    const type = await compiled(
      [
        'import numpy as np',
        'def run(data, params, ctx):',
        '    if data["id"] == "big":',
        '        data["meta"] = {"n": float(np.ones(2 * 1024**3, dtype=np.float32).sum())}',
        '    return data',
      ].join('\n'),
      { limits: { heapMb: 256, memoryMb: 768 } },
    );
    await expect(run(type, ct('big', [1, 2]))).rejects.toThrow(/MemoryError|Unable to allocate/);
    expect(Array.from((await run(type, ct('small', [3, 4])))?.image.data ?? [])).toEqual([3, 4]);
  });

  it('fails the sample of a process that dies, with its exit code and stderr, and restarts for the next', async () => {
    const type = await compiled(
      'import os, sys\ndef run(data, params, ctx):\n    if data["id"] == "die":\n        sys.stderr.write("going down\\n"); sys.stderr.flush(); os._exit(3)\n    return data\n',
    );
    await expect(run(type, ct('die', [1, 2]))).rejects.toThrow(
      /^Custom module "Py" \(my-py\) on sample "die": the Python process ended \(exit code 3\): going down$/,
    );
    expect(Array.from((await run(type, ct('next', [7, 8])))?.image.data ?? [])).toEqual([7, 8]);
    expect(type.sandboxStats().workersStarted).toBe(2);
  });

  it('gives the same reproducible ctx.rng stream for the same run seed', async () => {
    const type = await compiled(
      'import random\ndef run(data, params, ctx):\n    data["meta"] = {"r": float(ctx.rng.random()), "p": random.random()}\n    return data\n',
    );
    const a = await run(type, ct('a', [1, 2]));
    const b = await run(type, ct('a', [1, 2]));
    expect(a?.meta).toEqual(b?.meta);
    expect(typeof a?.meta.r).toBe('number');
  });

  it('says python3 with numpy is needed when the interpreter lacks numpy or is missing', async () => {
    // python3 -S skips site-packages, where numpy lives: an interpreter without numpy.
    const wrapper = join(dir, 'python-without-numpy');
    writeFileSync(wrapper, '#!/bin/sh\nexec python3 -S "$@"\n');
    chmodSync(wrapper, 0o755);
    const saved = process.env.PHI_PYTHON;
    try {
      for (const [interpreter, why] of [
        [wrapper, /No module named 'numpy'/],
        [join(dir, 'no-such-python'), /not found/],
      ] as const) {
        process.env.PHI_PYTHON = interpreter;
        const found = await problems('def run(d, p, c):\n    return d\n');
        expect(found).toEqual([
          {
            line: 0,
            column: 0,
            message: expect.stringMatching(
              new RegExp(
                `^Python custom modules need python3 with numpy \\(set PHI_PYTHON .*"${interpreter}": ${why.source}`,
              ),
            ),
          },
        ]);
      }
    } finally {
      if (saved === undefined) delete process.env.PHI_PYTHON;
      else process.env.PHI_PYTHON = saved;
    }
  });
});
