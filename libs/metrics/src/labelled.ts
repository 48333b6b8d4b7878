/**
 * Children of a metric with up to three labels, by their values, through nested maps: the hot
 * path (one increment per request) allocates neither a label object nor a key string, which
 * prom-client's `inc(labels)` does on every call. The label sets themselves must be bounded.
 */
export function childCache<Child>(make: (a: string, b: string, c: string) => Child) {
  const root = new Map<string, Map<string, Map<string, Child>>>();
  return function child(a: string, b = '', c = ''): Child {
    let second = root.get(a);
    if (!second) root.set(a, (second = new Map()));
    let third = second.get(b);
    if (!third) second.set(b, (third = new Map()));
    let found = third.get(c);
    if (!found) third.set(c, (found = make(a, b, c)));
    return found;
  };
}
