/**
 * Bounded memo maps (private): the most recently stored entries are kept.
 *
 * @module
 */

/**
 * Stores `value` under `key` as the most recent entry of `map`, then drops the oldest entries
 * beyond `limit` (a `Map` iterates in insertion order).
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}
