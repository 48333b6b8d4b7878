import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` now and every `refreshMs` (0: once); keeps the last data while a refresh runs. */
export function useApi<T>(path: string | null, refreshMs = 0): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    setData(undefined);
    setError(null);
  }, [path]);

  useEffect(() => {
    if (path === null) return undefined;
    let live = true;
    setLoading(true);
    api<T>(path)
      .then((value) => live && current.current === path && (setData(value), setError(null)))
      .catch((failure: unknown) => live && setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => live && setLoading(false));
    const timer = refreshMs > 0 ? setTimeout(() => setTick((t) => t + 1), refreshMs) : undefined;
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, refreshMs, tick]);

  return { data, error, loading, reload: useCallback(() => setTick((t) => t + 1), []) };
}
