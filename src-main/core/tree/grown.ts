/** `array` moved into a longer one of `length` (the new part zero, as the allocator gives it). */
export function grown<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(
  array: T,
  length: number,
): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}
