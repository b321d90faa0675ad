/**
 * Test helpers shared by engine tests: real PNG class-folder datasets written
 * with sharp, a small graph builder, and an event recorder.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EngineEvent, Graph, GraphNode } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';
import { makeNode } from '../service/templates';

/** A fresh temporary folder. */
export function tempDir(prefix = 'phi-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spec of a generated class-folder dataset: images per class, their size and channels. */
export interface PhantomSpec {
  classes: Record<string, number>;
  /** Width and height; a function gives per-image sizes (mixed-size datasets). */
  size?: [number, number] | ((index: number) => [number, number]);
  channels?: 1 | 3;
}

/**
 * Writes `<root>/<class>/<class>-<i>.png` phantoms: a bright disc whose
 * brightness depends on the class, so labels are learnable.
 */
export async function writeClassFolders(root: string, spec: PhantomSpec): Promise<string> {
  const channels = spec.channels ?? 3;
  let index = 0;
  for (const [className, count] of Object.entries(spec.classes)) {
    mkdirSync(join(root, className), { recursive: true });
    for (let i = 0; i < count; i++, index++) {
      const [width, height] = typeof spec.size === 'function' ? spec.size(index) : (spec.size ?? [32, 24]);
      const data = new Uint8Array(width * height * channels);
      const level = 80 + 60 * Object.keys(spec.classes).indexOf(className);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
          for (let c = 0; c < channels; c++)
            data[(y * width + x) * channels + c] = inside ? level + c * 10 : (x + y + i) % 40;
        }
      }
      const image = sharp(data, { raw: { width, height, channels } });
      // sharp writes one raw channel as RGB unless told the colour space.
      await (channels === 1 ? image.toColourspace('b-w') : image)
        .png()
        .toFile(join(root, className, `${className}-${i}.png`));
    }
  }
  return root;
}

/** Builds graphs for tests: nodes left to right, edges by id. */
export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: Graph['edges'] = [];
  constructor(private readonly registry: NodeTypeRegistry) {}

  /** Adds a node of `type` with `params` (defaults completed). */
  node(id: string, type: string, params: Record<string, unknown> = {}): this {
    this.nodes.push(makeNode(this.registry, type, id, params, { x: this.nodes.length * 240, y: 0 }));
    return this;
  }

  /** Connects `source` to `target`'s `port`. */
  edge(source: string, target: string, port = 'in'): this {
    this.edges.push({ id: `${source}->${target}:${port}`, source, target, targetPort: port });
    return this;
  }

  /** Adds nodes in a chain, each fed by the previous one. */
  chain(...specs: [string, string, Record<string, unknown>?][]): this {
    for (const [id, type, params] of specs) {
      const previous = this.nodes.at(-1);
      this.node(id, type, params);
      if (previous) this.edge(previous.id, id);
    }
    return this;
  }

  build(): Graph {
    return { nodes: [...this.nodes], edges: [...this.edges] };
  }
}

/** Collects engine events for assertions. */
export class EventLog {
  readonly events: EngineEvent[] = [];
  readonly listener = (event: EngineEvent): void => void this.events.push(event);

  /** Events of one type. */
  of<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  }

  clear(): void {
    this.events.length = 0;
  }
}
