/**
 * The network (layer) builder's state: layers placed in their own flow
 * space, connections (the order drawn is the order of a merge layer's
 * inputs), the spec they make, the engine's shape check (debounced, stale
 * answers dropped), Open (a built-in or saved spec as the starting point) and
 * Save as. Pure helpers are exported for the tests.
 */
import { action, computed, makeObservable, observable, observableRef, runInAction } from 'mobx';
import {
  idFromTitle,
  NetworkSpecSchema,
  type NetworkSpecInput,
  type EngineApi,
  type LayerTypeDescriptor,
  type SavedNetworkInfo,
  type SpecCheck,
} from '../../engine/api';
import { errorMessage } from './format';

/** One layer in the builder. */
export interface BuilderLayer {
  id: string;
  type: string;
  params: Record<string, unknown>;
  position: { x: number; y: number };
}

/** A connection from one layer's output to another's input. */
export interface BuilderEdge {
  id: string;
  source: string;
  target: string;
}

/** A spec as the builder writes it: the engine's format (api/network-spec.ts). */
export type BuilderSpec = NetworkSpecInput & { version: 1 };

/** Spacing of the automatic layout, px. */
const ROW = 110;

/** `Conv2D` -> `conv2d-2`: the first free id for a layer type. */
export function freshLayerId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = type.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  for (let i = 1; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Layers without a successor: the network's output candidates. */
export function sinksOf(layers: readonly BuilderLayer[], edges: readonly BuilderEdge[]): string[] {
  const feeding = new Set(edges.map((e) => e.source));
  return layers.filter((l) => !feeding.has(l.id)).map((l) => l.id);
}

/** The spec the builder's layers and connections make; the output is the one layer without a successor. */
export function specOf(
  layers: readonly BuilderLayer[],
  edges: readonly BuilderEdge[],
  name: string,
  task: BuilderSpec['task'],
): { spec: BuilderSpec; problem?: { layer?: string; message: string } } {
  const sinks = sinksOf(layers, edges);
  const spec: BuilderSpec = {
    format: 'phi-network',
    version: 1,
    name,
    task,
    layers: layers.map((l) => ({
      id: l.id,
      type: l.type,
      params: l.params,
      inputs: edges.filter((e) => e.target === l.id).map((e) => e.source),
    })),
    // With several ends, the earliest is taken as the output and the latest added is named.
    output: sinks[0] ?? '',
  };
  if (sinks.length > 1) {
    return {
      spec,
      problem: {
        layer: sinks.at(-1),
        message: `Layers ${sinks.join(', ')} lead nowhere: connect them so that one output layer remains`,
      },
    };
  }
  return { spec };
}

/** True when adding source -> target would close a cycle. */
export function wouldCycle(edges: readonly BuilderEdge[], source: string, target: string): boolean {
  const stack = [target];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (at === source) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const e of edges) if (e.source === at) stack.push(e.target);
  }
  return false;
}

/** Why a connection cannot be drawn, or null when it can. */
export function connectionProblem(
  layers: readonly BuilderLayer[],
  edges: readonly BuilderEdge[],
  catalogue: readonly LayerTypeDescriptor[],
  source: string,
  target: string,
): string | null {
  if (source === target) return 'A layer cannot feed itself';
  const to = layers.find((l) => l.id === target);
  if (!to) return `No layer "${target}"`;
  const inputs = catalogue.find((c) => c.type === to.type)?.inputs ?? 1;
  const existing = edges.filter((e) => e.target === target);
  if (existing.some((e) => e.source === source)) return 'These layers are already connected';
  if (inputs === 0) return `${to.id} (${to.type}) takes no input: it is where the images enter`;
  if (inputs === 1 && existing.length > 0)
    return `${to.id} (${to.type}) takes one input and already has ${existing[0].source}: use Add or Concatenate to merge`;
  if (wouldCycle(edges, source, target)) return 'That connection would make a loop';
  return null;
}

/** Default params of a layer type from its JSON Schema, plus what a new layer needs to be valid. */
export function layerDefaults(type: LayerTypeDescriptor): Record<string, unknown> {
  const properties = (type.params.properties ?? {}) as Record<string, { default?: unknown }>;
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties))
    if (schema.default !== undefined) params[name] = schema.default;
  // Required params without a default get a common starting value.
  const starters: Record<string, unknown> = { filters: 16, units: 64, targetShape: [-1] };
  for (const name of (type.params.required as string[] | undefined) ?? [])
    if (params[name] === undefined && starters[name] !== undefined) params[name] = starters[name];
  return params;
}

/** The starting network: Input -> Conv2D -> MaxPool2D -> Flatten -> Dense(classes, softmax). */
export function starterLayers(inputShape?: (number | null)[]): {
  layers: BuilderLayer[];
  edges: BuilderEdge[];
} {
  const chain: [string, string, Record<string, unknown>][] = [
    ['input', 'Input', inputShape ? { shape: inputShape } : {}],
    ['conv2d-1', 'Conv2D', { filters: 16, kernelSize: 3, activation: 'relu' }],
    ['maxpool2d-1', 'MaxPool2D', { poolSize: 2 }],
    ['flatten-1', 'Flatten', {}],
    ['dense-1', 'Dense', { units: '$classes', activation: 'softmax' }],
  ];
  const layers = chain.map(([id, type, params], i) => ({ id, type, params, position: { x: 0, y: i * ROW } }));
  const edges = layers.slice(1).map((l, i) => edgeOf(layers[i].id, l.id));
  return { layers, edges };
}

/** Horizontal spacing of layers on the same row of the automatic layout, px. */
const COLUMN = 180;

/**
 * The builder's layers and connections for a spec: layer params and input
 * order kept, each layer one row below its deepest input, side by side within
 * a row. Throws when the JSON is not a network spec.
 */
export function layersFromSpec(json: unknown): {
  layers: BuilderLayer[];
  edges: BuilderEdge[];
  task: BuilderSpec['task'];
} {
  const parsed = NetworkSpecSchema.safeParse(json);
  if (!parsed.success) throw new Error('This is not a network spec the builder can open');
  const spec = parsed.data;
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const layer = spec.layers.find((l) => l.id === id);
    // A missing or looping input is left for the engine's check to name.
    if (!layer || seen.has(id)) return 0;
    seen.add(id);
    const inputs = layer.inputs ?? [];
    const d = inputs.length ? 1 + Math.max(...inputs.map((i) => depthOf(i, seen))) : 0;
    depth.set(id, d);
    return d;
  };
  const perRow = new Map<number, number>();
  const layers = spec.layers.map((l) => {
    const row = depthOf(l.id, new Set());
    const column = perRow.get(row) ?? 0;
    perRow.set(row, column + 1);
    return {
      id: l.id,
      type: l.type,
      params: { ...(l.params ?? {}) },
      position: { x: column * COLUMN, y: row * ROW },
    };
  });
  const edges: BuilderEdge[] = [];
  for (const l of spec.layers)
    for (const source of l.inputs ?? []) {
      const edge = edgeOf(source, l.id);
      if (!edges.some((e) => e.id === edge.id)) edges.push(edge);
    }
  return { layers, edges, task: spec.task as BuilderSpec['task'] };
}

/** The edge between two layers. */
export function edgeOf(source: string, target: string): BuilderEdge {
  return { id: `${source}->${target}`, source, target };
}

/** `[32, 32, 8]` -> `32 × 32 × 8`; unknown axes as `?`. */
export function shapeText(shape: readonly (number | null)[] | undefined): string {
  return shape ? shape.map((d) => (d === null ? '?' : String(d))).join(' × ') : '';
}

/** What the builder needs of the engine. */
export type BuilderApi = Pick<
  EngineApi,
  'getLayerCatalogue' | 'checkNetworkSpec' | 'saveNetworkSpec' | 'listNetworkSpecs' | 'getNetworkSpec'
>;

/** Delay between the last change and the shape check, ms. */
export const CHECK_DELAY_MS = 250;

/** The builder's store (one per window; opened for a network node). */
export class NetworkBuilderStore {
  /** The network node the builder was opened from, or null when closed. */
  node: string | null = null;
  catalogue: LayerTypeDescriptor[] = [];
  layers: BuilderLayer[] = [];
  edges: BuilderEdge[] = [];
  selected: string | null = null;
  /** The name the network is saved under (its id is derived from it). */
  name = 'My network';
  task: BuilderSpec['task'] = 'classification';
  check: SpecCheck | null = null;
  checking = false;
  saved: SavedNetworkInfo[] = [];
  /** The spec last opened (a built-in one must be saved under another name), or null for the starter. */
  opened: SavedNetworkInfo | null = null;
  private serial = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: BuilderApi) {
    makeObservable<NetworkBuilderStore, 'applyCheck'>(this, {
      node: observable,
      catalogue: observableRef,
      layers: observableRef,
      edges: observableRef,
      selected: observable,
      name: observable,
      task: observable,
      check: observableRef,
      checking: observable,
      saved: observableRef,
      opened: observable,
      spec: computed,
      problem: computed,
      problems: computed,
      failedLayers: computed,
      selectedLayer: computed,
      open: action,
      close: action,
      addLayer: action,
      removeLayer: action,
      removeEdge: action,
      moveLayer: action,
      setParams: action,
      select: action,
      setName: action,
      connect: action,
      applyCheck: action,
    });
  }

  /** The spec drawn now. */
  get spec(): BuilderSpec {
    return specOf(this.layers, this.edges, this.name, this.task).spec;
  }

  /** What is wrong before the engine is asked (several outputs), or the engine's error. */
  get problem(): { layer?: string; message: string } | null {
    return this.problems[0] ?? null;
  }

  /**
   * Everything to fix: every layer the engine could not fit, in its words,
   * then the loose end found here (several outputs).
   */
  get problems(): { layer?: string; message: string }[] {
    const local = specOf(this.layers, this.edges, this.name, this.task).problem;
    const engine =
      this.check && !this.check.ok
        ? (this.check.problems ?? [this.check.error ?? { message: 'The network is not valid' }])
        : [];
    const all = local ? [...engine, local] : engine;
    return all.filter((p, i) => all.findIndex((q) => q.layer === p.layer && q.message === p.message) === i);
  }

  /** Ids of the layers that do not fit (marked red, with the connections into them). */
  get failedLayers(): ReadonlySet<string> {
    return new Set(this.problems.flatMap((p) => (p.layer ? [p.layer] : [])));
  }

  /** What to fix before saving, in one sentence, or null when the network can be saved. */
  saveProblem(): string | null {
    const problems = this.problems;
    if (problems.length === 0) return null;
    const listed = problems.map((p) => (p.layer ? `${p.layer}: ${p.message}` : p.message)).join('; ');
    return `Not saved: fix ${problems.length === 1 ? 'this' : `these ${problems.length}`} first: ${listed}`;
  }

  get selectedLayer(): BuilderLayer | undefined {
    return this.layers.find((l) => l.id === this.selected);
  }

  /**
   * Opens the builder for a network node showing the saved network it trains
   * (`specId`), or the starter network when there is none or it cannot be read.
   */
  async open(
    node: string,
    task: BuilderSpec['task'],
    inputShape?: (number | null)[],
    specId?: string,
  ): Promise<void> {
    this.node = node;
    this.task = task;
    const start = starterLayers(inputShape);
    this.layers = start.layers;
    this.edges = start.edges;
    this.selected = null;
    this.check = null;
    this.opened = null;
    const [catalogue, saved] = await Promise.all([
      this.catalogue.length ? Promise.resolve(this.catalogue) : this.api.getLayerCatalogue({}),
      this.api.listNetworkSpecs({}).catch(() => []),
    ]);
    runInAction(() => {
      this.catalogue = catalogue;
      this.saved = saved;
    });
    // A spec that is gone (deleted, renamed) leaves the starter network in place.
    if (specId) await this.openSpec(specId).catch(() => undefined);
    this.scheduleCheck(0);
  }

  close(): void {
    this.node = null;
    clearTimeout(this.timer);
  }

  /**
   * Replaces the drawing by a built-in or saved spec. A saved one keeps its
   * name for Save; a built-in one gets `My <name>`, since built-in networks
   * cannot be saved over.
   */
  async openSpec(id: string): Promise<void> {
    const { spec, builtin, title } = await this.api.getNetworkSpec({ id });
    const drawing = layersFromSpec(spec);
    runInAction(() => {
      this.layers = drawing.layers;
      this.edges = drawing.edges;
      this.task = drawing.task;
      this.selected = null;
      this.check = null;
      this.name = builtin ? `My ${title}` : title;
      this.opened = { id, title, builtin };
    });
    this.scheduleCheck(0);
  }

  /** Adds a layer of a type at a position; returns its id. */
  addLayer(type: string, position: { x: number; y: number }): string | undefined {
    const descriptor = this.catalogue.find((c) => c.type === type);
    if (!descriptor) return undefined;
    const id = freshLayerId(
      type,
      this.layers.map((l) => l.id),
    );
    this.layers = [...this.layers, { id, type, params: layerDefaults(descriptor), position }];
    this.selected = id;
    this.scheduleCheck();
    return id;
  }

  removeLayer(id: string): void {
    this.layers = this.layers.filter((l) => l.id !== id);
    this.edges = this.edges.filter((e) => e.source !== id && e.target !== id);
    if (this.selected === id) this.selected = null;
    this.scheduleCheck();
  }

  removeEdge(id: string): void {
    this.edges = this.edges.filter((e) => e.id !== id);
    this.scheduleCheck();
  }

  moveLayer(id: string, position: { x: number; y: number }): void {
    this.layers = this.layers.map((l) => (l.id === id ? { ...l, position } : l));
  }

  setParams(id: string, params: Record<string, unknown>): void {
    this.layers = this.layers.map((l) => (l.id === id ? { ...l, params } : l));
    this.scheduleCheck();
  }

  select(id: string | null): void {
    this.selected = id;
  }

  setName(name: string): void {
    this.name = name;
  }

  /** Draws a connection; returns the reason when refused. */
  connect(source: string, target: string): string | null {
    const problem = connectionProblem(this.layers, this.edges, this.catalogue, source, target);
    if (problem) return problem;
    this.edges = [...this.edges, edgeOf(source, target)];
    this.scheduleCheck();
    return null;
  }

  /** Asks the engine for shapes after the changes settle. */
  scheduleCheck(delay = CHECK_DELAY_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runCheck(), delay);
  }

  /** Checks the current spec now; an answer to an older spec is dropped. */
  async runCheck(): Promise<SpecCheck | null> {
    // A check still waiting for its delay would ask the same again.
    clearTimeout(this.timer);
    const serial = ++this.serial;
    const { spec, problem } = specOf(this.layers, this.edges, this.name, this.task);
    runInAction(() => (this.checking = true));
    let check: SpecCheck;
    try {
      // For the node's data: the engine fills in its real class count and input shape.
      check = await this.api.checkNetworkSpec({ spec, ...(this.node ? { node: this.node } : {}) });
      // Shapes still show while a layer leads nowhere; the local problem comes first.
      if (problem) check = { ...check, ok: false, error: problem };
    } catch (error) {
      check = {
        ok: false,
        shapes: {},
        error: { message: errorMessage(error) },
      };
    }
    if (serial !== this.serial) return null;
    this.applyCheck(check);
    return check;
  }

  private applyCheck(check: SpecCheck): void {
    this.check = check;
    this.checking = false;
  }

  /**
   * Where Save puts a network named `title`: the opened saved network while
   * its name is kept (a new version of it), else the id derived from the name;
   * `replaces` is the saved network that id already holds.
   */
  saveTarget(title: string): { id: string; replaces?: SavedNetworkInfo } {
    const opened = this.opened;
    const id =
      opened && !opened.builtin && opened.title === title.trim() ? opened.id : idFromTitle(title, 'network');
    const replaces = this.saved.find((s) => !s.builtin && s.id === id);
    return replaces ? { id, replaces } : { id };
  }

  /** Saves the spec under a name in the project; returns the engine's check (or throws its refusal). */
  async save(title: string): Promise<SpecCheck> {
    clearTimeout(this.timer);
    // A loose end is found here; the engine would take the first end as the output and save.
    const local = specOf(this.layers, this.edges, this.name, this.task).problem;
    if (local) return { ...(this.check ?? { shapes: {} }), ok: false, error: local };
    const name = title.trim();
    const { id } = this.saveTarget(name);
    const check = await this.api.saveNetworkSpec({
      title: name,
      id,
      spec: this.spec,
      ...(this.node ? { node: this.node } : {}),
    });
    this.applyCheck(check);
    if (check.ok) {
      const saved = await this.api.listNetworkSpecs({}).catch(() => this.saved);
      runInAction(() => {
        this.saved = saved;
        this.name = name;
        this.opened = { id, title: name, builtin: false };
      });
    }
    return check;
  }
}

/**
 * The saved spec a network node trains (`architecture: custom`), for the
 * builder to open. Built-in architectures open the starter network instead:
 * the node's structural options (filters, depth) would not match the
 * built-in spec's defaults, so showing those would mislead.
 */
export function savedSpecIdOf(params: Record<string, unknown>): string | undefined {
  return params.architecture === 'custom'
    ? (params.customSpec as string | undefined) || undefined
    : undefined;
}
