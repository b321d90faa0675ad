/**
 * Shortcuts: the key handler and the tooltips read one table, so a tooltip
 * names exactly the keys that work. Also the Files table's row window.
 */
import { describe, expect, it } from 'vitest';
import { visibleRange } from './FilesTab';
import { SHORTCUTS, commandOf, shortcutLabel, type ShortcutCommand } from './shortcuts';

const key = (k: string, mods: { ctrl?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key: k,
  ctrlKey: !!mods.ctrl,
  metaKey: false,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt,
});

describe('shortcuts', () => {
  it('every command is triggered by the keys its tooltip shows', () => {
    for (const command of Object.keys(SHORTCUTS) as ShortcutCommand[]) {
      const label = shortcutLabel(command);
      const parts = label.split('+');
      const k = parts.at(-1)!;
      const event = key(k === 'Del' ? 'Delete' : k.length === 1 ? k.toLowerCase() : k, {
        ctrl: parts.includes('Ctrl'),
        shift: parts.includes('Shift'),
        alt: parts.includes('Alt'),
      });
      expect(commandOf(event), label).toBe(command);
    }
  });

  it('tells apart the run commands and the edit commands', () => {
    expect(shortcutLabel('runAll')).toBe('Ctrl+Enter');
    expect(shortcutLabel('sampleRun')).toBe('Ctrl+Shift+Enter');
    expect(commandOf(key('Enter', { alt: true }))).toBe('runNode');
    expect(commandOf(key('Enter', { alt: true, shift: true }))).toBe('stepForward');
    expect(commandOf(key('Z', { ctrl: true, shift: true }))).toBe('redo');
    expect(commandOf(key('y', { ctrl: true }))).toBe('redo');
    expect(commandOf(key('Backspace'))).toBe('delete');
    expect(commandOf(key('Enter'))).toBeUndefined();
    expect(commandOf(key('z'))).toBeUndefined();
  });

  it('has the project commands: New, Open, Save', () => {
    expect(shortcutLabel('newProject')).toBe('Ctrl+N');
    expect(commandOf(key('o', { ctrl: true }))).toBe('openProject');
    expect(commandOf(key('S', { ctrl: true }))).toBe('save');
    expect(commandOf(key('s', { ctrl: true, shift: true }))).toBeUndefined();
  });
});

describe('visibleRange', () => {
  it('renders the rows in view plus a margin, clamped to the table', () => {
    expect(visibleRange(0, 260, 1000, 26, 8)).toEqual([0, 18]);
    expect(visibleRange(2600, 260, 1000, 26, 8)).toEqual([92, 118]);
    expect(visibleRange(25_900, 260, 1000, 26, 8)).toEqual([988, 1000]);
    expect(visibleRange(0, 260, 3, 26, 8)).toEqual([0, 3]);
  });
});
