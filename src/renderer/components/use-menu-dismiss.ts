/**
 * A drop-down menu's keyboard and mouse habits: its first item takes focus
 * when it opens, and Escape or a press outside the menu's parent closes it.
 */
import { useEffect, useRef, type RefObject } from 'react';

/** The ref to put on the menu element. */
export function useMenuDismiss(onClose: () => void): RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.parentElement?.contains(e.target as globalThis.Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  return ref;
}
