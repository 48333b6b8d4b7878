import { withDeadline } from '@platform/resilience';

/** True if `work` settled (either way) within `ms`, false if the time ran out first; `work` keeps running. */
export function settlesWithin(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!work) return Promise.resolve(true);
  return withDeadline(
    work.then(
      () => true,
      () => true,
    ),
    ms,
    () => false,
  );
}
