/**
 * A deep copy of plain data: objects, arrays, Dates and primitives, which is what the stores keep. It is what the
 * memory stores and the read caches hand out so that a caller changing its answer changes nothing stored, as with
 * a database. `structuredClone` does the same for any value, but goes through the serializer each time and was
 * the largest single cost of a token request on memory stores (docs/decisions/0028). Anything else (a Map, a
 * Buffer, a class instance) is left to `structuredClone`, so the answer is the same either way.
 */
export function copyData<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof Date) return new Date(value.getTime());
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) result[key] = copy((value as Record<string, unknown>)[key]);
  return result;
}
