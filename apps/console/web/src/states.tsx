import type { ReactNode } from 'react';
import type { Loaded } from './use-api';

export function Loading({ what }: { what: string }) {
  return <p className="state loading" role="status">Loading {what}…</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorNote({ children }: { children: ReactNode }) {
  return <p className="state error" role="alert">{children}</p>;
}

/** Loading the first time, the error in words, an empty state, or the content. */
export function Show<T>({ loaded, what, empty, isEmpty, children }: { loaded: Loaded<T>; what: string; empty: ReactNode; isEmpty?: (data: T) => boolean; children: (data: T) => ReactNode }) {
  const { data, error } = loaded;
  if (data === undefined) return error ? <ErrorNote>Could not load {what}: {error}</ErrorNote> : <Loading what={what} />;
  return (
    <>
      {error && <ErrorNote>Could not refresh {what}: {error}</ErrorNote>}
      {(isEmpty ?? ((d) => Array.isArray(d) && d.length === 0))(data) ? <Empty>{empty}</Empty> : children(data)}
    </>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const num = (value: number | null | undefined, digits = 0) => (value === null || value === undefined ? '—' : value.toFixed(digits));
