/**
 * The project-level UI state: the recent list (newest first, bounded, kept
 * in the preferences, a path that no longer opens dropped) and the saved
 * indicator's text from the writes on their way.
 */
import { describe, expect, it } from 'vitest';
import { clockTime, fileNameOf, ProjectsStore, RECENT_LIMIT, type PreferenceStorage } from './projects';

function memory(): PreferenceStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('ProjectsStore', () => {
  it('keeps recent projects newest first, without repeats, bounded, across restarts', () => {
    const prefs = memory();
    const store = new ProjectsStore(prefs);
    for (let i = 0; i < RECENT_LIMIT + 3; i++) store.opened(`/p/${i}.phiproj`);
    store.opened('/p/4.phiproj');
    expect(store.recent[0]).toBe('/p/4.phiproj');
    expect(store.recent).toHaveLength(RECENT_LIMIT);
    expect(new Set(store.recent).size).toBe(RECENT_LIMIT);
    expect(new ProjectsStore(prefs).recent).toEqual(store.recent);
    store.forget('/p/4.phiproj');
    expect(new ProjectsStore(prefs).recent).not.toContain('/p/4.phiproj');
  });

  it('reads a damaged preference as an empty list', () => {
    const prefs = memory();
    prefs.setItem('phi.recentProjects', '{not json');
    expect(new ProjectsStore(prefs).recent).toEqual([]);
    prefs.setItem('phi.recentProjects', JSON.stringify(['/a.phiproj', 3, null]));
    expect(new ProjectsStore(prefs).recent).toEqual(['/a.phiproj']);
  });

  it('says Saving… while writes are on their way, then the time of the last confirmed write', () => {
    const store = new ProjectsStore();
    store.opened('/p/a.phiproj');
    expect(store.savedLabel).toBe('Saved');
    store.writeStarted();
    store.writeStarted();
    expect(store.savedLabel).toBe('Saving…');
    const at = new Date(2026, 0, 2, 14, 5, 9).getTime();
    store.writeEnded(true, at);
    expect(store.savedLabel).toBe('Saving…');
    // A refused write does not move the time of the last one the engine made.
    store.writeEnded(false);
    expect(store.savedLabel).toBe(`Saved ${clockTime(at)}`);
    expect(clockTime(at)).toMatch(/05.*09/);
    store.opened('/p/b.phiproj');
    expect(store.savedLabel).toBe('Saved');
  });

  it('names files of either separator', () => {
    expect(fileNameOf('/data/study.phiproj')).toBe('study.phiproj');
    expect(fileNameOf('C:\\data\\study.phiproj')).toBe('study.phiproj');
  });
});
