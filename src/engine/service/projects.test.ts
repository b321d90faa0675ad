/**
 * The requests behind the project screens, through `dispatch` as every
 * transport calls them: the folder browser stays inside its root (symlinks
 * resolved), the dataset preview explains a folder before a project is made
 * over it, and the Sample RUN size is kept in the `.phiproj`.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetPreview, FolderListing, ProjectSnapshot, RecentProject } from '../api';
import { tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { RecentProjects } from '../store/recent-projects';
import { dispatch } from './dispatch';
import { Engine } from './engine';

const registry = createBuiltinRegistry();

let dir: string;
let root: string;
let outside: string;
let engine: Engine;

beforeEach(() => {
  dir = realpathSync(tempDir('phi-projects-'));
  root = join(dir, 'home');
  outside = join(dir, 'elsewhere');
  mkdirSync(join(root, 'studies', 'chest'), { recursive: true });
  mkdirSync(join(root, '.hidden'));
  mkdirSync(join(outside, 'secret'), { recursive: true });
  writeFileSync(join(root, 'studies', 'old.phiproj'), '');
  writeFileSync(join(root, 'studies', 'notes.txt'), 'not listed');
  engine = new Engine({ cacheDir: join(dir, 'cache'), registry, browseRoot: root });
});

afterEach(() => {
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

const browse = (path?: string) =>
  dispatch(engine, 'browseFolder', path === undefined ? {} : { path }) as Promise<FolderListing>;

describe('browseFolder', () => {
  it('lists sub-folders and project files, starting at the root', async () => {
    const top = await browse();
    expect(top.path).toBe(root);
    expect(top.parent).toBeNull();
    expect(top.folders.map((f) => f.name)).toEqual(['studies']);
    const studies = await browse(top.folders[0].path);
    expect(studies.parent).toBe(root);
    expect(studies.folders).toEqual([{ name: 'chest', path: join(root, 'studies', 'chest') }]);
    expect(studies.projects).toEqual([{ name: 'old.phiproj', path: join(root, 'studies', 'old.phiproj') }]);
    // Relative paths are taken from the root.
    expect((await browse('studies/chest')).path).toBe(join(root, 'studies', 'chest'));
  });

  it('refuses folders outside the root, by absolute path or by ..', async () => {
    await expect(browse(outside)).rejects.toThrow(/outside the folder that may be browsed/);
    await expect(browse('../elsewhere')).rejects.toThrow(/outside the folder that may be browsed/);
    await expect(browse(join(root, 'studies', '..', '..'))).rejects.toThrow(/outside/);
    await expect(browse('/')).rejects.toThrow(/outside/);
    await expect(browse(join(root, 'missing'))).rejects.toThrow(/No such folder/);
  });

  it('neither lists nor follows a symlink that leads out of the root', async () => {
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(outside, 'secret'), join(root, 'studies', 'deeper'));
    symlinkSync(join(root, 'studies', 'chest'), join(root, 'shortcut'));
    const top = await browse();
    expect(top.folders.map((f) => f.name)).toEqual(['shortcut', 'studies']);
    // A link inside the root is listed by where it leads.
    expect(top.folders[0].path).toBe(join(root, 'studies', 'chest'));
    await expect(browse(join(root, 'escape'))).rejects.toThrow(/outside/);
    await expect(browse('escape/secret')).rejects.toThrow(/outside/);
    await expect(browse(join(root, 'studies', 'deeper'))).rejects.toThrow(/outside/);
    expect((await browse('studies')).folders.map((f) => f.name)).toEqual(['chest']);
  });

  it('a root that is itself a symlink is resolved, and its folders stay reachable', async () => {
    symlinkSync(root, join(dir, 'home-link'));
    const linked = new Engine({ cacheDir: join(dir, 'cache'), registry, browseRoot: join(dir, 'home-link') });
    const top = (await dispatch(linked, 'browseFolder', {})) as FolderListing;
    expect(top.root).toBe(root);
    await expect(dispatch(linked, 'browseFolder', { path: outside })).rejects.toThrow(/outside/);
  });
});

describe('previewDataset', () => {
  it('names the layout, label source and classes of a folder before a project exists', async () => {
    const data = join(root, 'scans');
    await writeClassFolders(data, {
      classes: { benign: 5, malignant: 4 },
      size: (i) => (i % 2 ? [30, 20] : [24, 24]),
    });
    const preview = (await dispatch(engine, 'previewDataset', { path: data })) as DatasetPreview;
    expect(preview.task).toBe('classification');
    expect(preview.classes).toEqual(['benign', 'malignant']);
    expect(preview.labelSource).toMatch(/folder/i);
    expect(preview.perClass.map((c) => c.total)).toEqual([5, 4]);
    expect(preview.suggestedProject).toBe(join(root, 'scans.phiproj'));
    await expect(dispatch(engine, 'previewDataset', { path: join(root, 'nope') })).rejects.toThrow(
      /No such folder/,
    );
  });
});

describe('project settings', () => {
  it('keeps the Sample RUN size in the project file and reads it back on open', async () => {
    const data = await writeClassFolders(join(root, 'scans'), { classes: { a: 3, b: 3 }, size: [16, 16] });
    const path = join(root, 'scans.phiproj');
    const created = (await dispatch(engine, 'createProject', { path, dataset: data })) as ProjectSnapshot;
    expect(created.settings).toEqual({ sampleSize: null, inferenceRuntime: 'auto' });
    expect(await dispatch(engine, 'setProjectSettings', { sampleSize: { count: 7 } })).toEqual({
      sampleSize: { count: 7 },
      inferenceRuntime: 'auto',
    });
    // A field left out is unchanged.
    expect(await dispatch(engine, 'setProjectSettings', {})).toEqual({
      sampleSize: { count: 7 },
      inferenceRuntime: 'auto',
    });
    await expect(dispatch(engine, 'setProjectSettings', { sampleSize: { count: -1 } })).rejects.toThrow(
      /Bad parameters for setProjectSettings/,
    );
    engine.closeProject();

    const again = new Engine({ cacheDir: join(dir, 'cache'), registry });
    const opened = (await dispatch(again, 'openProject', { path })) as ProjectSnapshot;
    expect(opened.settings).toEqual({ sampleSize: { count: 7 }, inferenceRuntime: 'auto' });
    await dispatch(again, 'setProjectSettings', { sampleSize: { percent: 25 } });
    expect(((await dispatch(again, 'getProject', {})) as ProjectSnapshot).settings).toEqual({
      sampleSize: { percent: 25 },
      inferenceRuntime: 'auto',
    });
    await dispatch(again, 'setProjectSettings', { sampleSize: null });
    expect(((await dispatch(again, 'getProject', {})) as ProjectSnapshot).settings?.sampleSize).toBeNull();
    again.closeProject();
  });
});

describe('recent projects', () => {
  it('lists projects opened or created, newest first, across engines, without missing files', async () => {
    const file = join(dir, 'config', 'recent-projects.json');
    const first = new Engine({
      cacheDir: join(dir, 'cache'),
      registry,
      recentProjects: new RecentProjects(file),
    });
    expect(await dispatch(first, 'listRecentProjects', {})).toEqual([]);
    const data = await writeClassFolders(join(root, 'scans'), { classes: { a: 2, b: 2 }, size: [8, 8] });
    const a = join(root, 'a.phiproj');
    const b = join(root, 'b.phiproj');
    await dispatch(first, 'createProject', { path: a, dataset: data });
    await dispatch(first, 'createProject', { path: b, dataset: data });
    await dispatch(first, 'openProject', { path: a });
    first.closeProject();

    // Another engine (the desktop window, another phi serve) reads the same list.
    const second = new Engine({
      cacheDir: join(dir, 'cache'),
      registry,
      recentProjects: new RecentProjects(file),
    });
    const listed = (await dispatch(second, 'listRecentProjects', {})) as RecentProject[];
    expect(listed.map((p) => p.path)).toEqual([a, b]);
    expect(Date.parse(listed[0].openedAt)).not.toBeNaN();
    rmSync(b);
    expect(
      ((await dispatch(second, 'listRecentProjects', {})) as RecentProject[]).map((p) => p.path),
    ).toEqual([a]);
    // An engine without a list (tests, the CLI) keeps none.
    expect(await dispatch(engine, 'listRecentProjects', {})).toEqual([]);
  });

  it('keeps the last 8, and reads a damaged file as an empty list', () => {
    const file = join(dir, 'recent.json');
    const recent = new RecentProjects(file);
    for (let i = 0; i < 11; i++) {
      writeFileSync(join(dir, `p${i}.phiproj`), '');
      recent.add(join(dir, `p${i}.phiproj`));
    }
    expect(recent.list().map((p) => p.path)).toEqual(
      [10, 9, 8, 7, 6, 5, 4, 3].map((i) => join(dir, `p${i}.phiproj`)),
    );
    writeFileSync(file, '{not json');
    expect(new RecentProjects(file).list()).toEqual([]);
  });
});
