import type { OutboxRelay } from '@platform/messaging';

/** Counts the relay's wakes (createService calls `wake` through the relay object); read `count()`. */
export function countWakes(relay: OutboxRelay): { count(): number } {
  let wakes = 0;
  const wake = relay.wake.bind(relay);
  relay.wake = () => {
    wakes += 1;
    wake();
  };
  return { count: () => wakes };
}
