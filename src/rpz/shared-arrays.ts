/**
 * Typed arrays over SharedArrayBuffers, for a zone's indexes and rule
 * tables: a worker thread that applies an IXFR reads the zone in force
 * without a copy being made on the thread that answers queries. V8 counts a
 * shared buffer as 0 bytes of its heap, which is why src/sources/old-versions.ts
 * sees to it that replaced versions are collected.
 */

type Shared = Int32Array | Uint32Array | Uint8Array | Float64Array;
type SharedType<T extends Shared> = { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };

/** A zeroed array of `length` elements. */
export function sharedArray<T extends Shared>(type: SharedType<T>, length: number): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT));
}

/** `array`'s elements, then `more`, in a new shared array of the same type (`array` stays as it is). */
export function sharedCopy<T extends Shared>(array: T, more: ArrayLike<number> = []): T {
  const copy = sharedArray(array.constructor as SharedType<T>, array.length + more.length);
  copy.set(array);
  copy.set(more, array.length);
  return copy;
}

/** `values` in a new shared array. */
export function sharedFrom<T extends Shared>(type: SharedType<T>, values: ArrayLike<number>): T {
  const array = sharedArray(type, values.length);
  array.set(values);
  return array;
}
