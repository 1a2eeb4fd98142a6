/**
 * `load` memoised per key as a Promise: concurrent and later calls share one load, and a load that fails is
 * tried again on the next call (an optional package installed meanwhile, a transient failure).
 */
export function sharedLoads<K, V>(load: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const loads = new Map<K, Promise<V>>();
  return (key) => {
    let p = loads.get(key);
    if (!p) {
      p = load(key);
      loads.set(key, p);
      p.catch(() => loads.delete(key));
    }
    return p;
  };
}
