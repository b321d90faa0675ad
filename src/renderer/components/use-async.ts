/** A React hook for requests to the engine whose answers may arrive out of order. */
import { useEffect, useState } from 'react';

/** Fetches and keeps the result of an async call; stale answers are dropped. */
export function useAsync<T>(
  load: () => Promise<T> | null,
  deps: unknown[],
): { value?: T; error?: string; loading: boolean } {
  const [state, setState] = useState<{ value?: T; error?: string; loading: boolean }>({ loading: false });
  useEffect(() => {
    let live = true;
    const promise = load();
    if (!promise) {
      setState({ loading: false });
      return;
    }
    setState((s) => ({ ...s, loading: true, error: undefined }));
    promise.then(
      (value) => live && setState({ value, loading: false }),
      (e: unknown) => live && setState({ error: e instanceof Error ? e.message : String(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}
