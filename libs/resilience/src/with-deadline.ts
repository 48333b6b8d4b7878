/**
 * Settles as `work` does, unless `ms` pass first: then as `onExpiry` does (what it returns
 * resolves, what it throws rejects). `work` itself goes on (nobody awaits it any more: a later
 * rejection is handled, not unhandled), so an expiry that must stop it does so in `onExpiry`. The
 * timer is cleared once either side settles, so a bound that was not needed holds no process open.
 */
export function withDeadline<T, E = never>(work: PromiseLike<T>, ms: number, onExpiry: () => E): Promise<T | E> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<E>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onExpiry());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
