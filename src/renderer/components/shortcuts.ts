/**
 * Keyboard shortcuts: one table, used both by the key handler and by the
 * tooltips that show them, so a tooltip can never name a wrong key.
 */

/** A shortcut: a key with modifiers; `mod` is Ctrl, or Cmd on macOS. */
export interface Shortcut {
  key: string;
  mod?: boolean;
  shift?: boolean;
  alt?: boolean;
}

/** Every command with a shortcut. */
export const SHORTCUTS = {
  runAll: { key: 'Enter', mod: true },
  sampleRun: { key: 'Enter', mod: true, shift: true },
  runNode: { key: 'Enter', alt: true },
  stepForward: { key: 'Enter', alt: true, shift: true },
  cancel: { key: '.', mod: true },
  undo: { key: 'z', mod: true },
  redo: { key: 'z', mod: true, shift: true },
  copy: { key: 'c', mod: true },
  paste: { key: 'v', mod: true },
  selectAll: { key: 'a', mod: true },
  delete: { key: 'Delete' },
  fit: { key: 'f', shift: true },
  newProject: { key: 'n', mod: true },
  openProject: { key: 'o', mod: true },
  save: { key: 's', mod: true },
} as const satisfies Record<string, Shortcut>;

/** Command names. */
export type ShortcutCommand = keyof typeof SHORTCUTS;

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** `Ctrl+Shift+Enter` (or `⌘⇧Enter` on macOS) for tooltips. */
export function shortcutLabel(command: ShortcutCommand): string {
  const s: Shortcut = SHORTCUTS[command];
  const key = s.key.length === 1 ? s.key.toUpperCase() : s.key === 'Delete' ? 'Del' : s.key;
  if (isMac) return `${s.mod ? '⌘' : ''}${s.alt ? '⌥' : ''}${s.shift ? '⇧' : ''}${key}`;
  return [s.mod && 'Ctrl', s.alt && 'Alt', s.shift && 'Shift', key].filter(Boolean).join('+');
}

/** `Title (Ctrl+Enter)`: the text of a button's tooltip. */
export function withShortcut(title: string, command: ShortcutCommand): string {
  return `${title} (${shortcutLabel(command)})`;
}

/** The command a key event triggers, if any. */
export function commandOf(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): ShortcutCommand | undefined {
  const mod = isMac ? event.metaKey : event.ctrlKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  for (const [command, s] of Object.entries(SHORTCUTS) as [ShortcutCommand, Shortcut][]) {
    const wantKey = s.key.length === 1 ? s.key.toLowerCase() : s.key;
    if (wantKey !== key && !(s.key === 'Delete' && key === 'Backspace')) continue;
    if (Boolean(s.mod) !== mod || Boolean(s.shift) !== event.shiftKey || Boolean(s.alt) !== event.altKey)
      continue;
    return command;
  }
  // Ctrl+Y is the other common Redo.
  if (mod && key === 'y' && !event.shiftKey && !event.altKey) return 'redo';
  return undefined;
}
