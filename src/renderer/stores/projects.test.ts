/**
 * The project-level UI state: the recent list as the engine gives it (a
 * project just opened first at once, one that no longer opens dropped) and
 * the saved indicator's text from the writes on their way.
 */
import { describe, expect, it } from 'vitest';
import { clockTime, fileNameOf, ProjectsStore } from './projects';

describe('ProjectsStore', () => {
  it("shows the engine's recent list, the project just opened first, without repeats", () => {
    const store = new ProjectsStore();
    store.setRecent(['/p/a.phiproj', '/p/b.phiproj', '/p/c.phiproj']);
    store.opened('/p/c.phiproj');
    expect(store.recent).toEqual(['/p/c.phiproj', '/p/a.phiproj', '/p/b.phiproj']);
    store.forget('/p/a.phiproj');
    expect(store.recent).toEqual(['/p/c.phiproj', '/p/b.phiproj']);
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
