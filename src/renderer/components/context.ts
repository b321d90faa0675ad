/** React access to the root store: one Workbench per window. */
import { createContext, useContext } from 'react';
import type { Workbench } from '../stores/workbench';

/** Provides the window's {@link Workbench}. */
export const WorkbenchContext = createContext<Workbench | null>(null);

/** The window's Workbench; throws outside the provider (a programming error). */
export function useWorkbench(): Workbench {
  const workbench = useContext(WorkbenchContext);
  if (!workbench) throw new Error('useWorkbench outside WorkbenchContext');
  return workbench;
}
