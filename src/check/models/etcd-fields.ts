/** Field readers for the etcd model's parsers: each throws a FieldError naming the field. */
import { FieldError } from '../errors.js';

export function obj(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, `expected an object, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value as Record<string, unknown>;
}

export function str(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new FieldError(field, `expected a string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

export function int(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new FieldError(field, `expected an integer, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}

export function keyOf(value: unknown, field: string): string {
  if (typeof value === 'number') return String(value);
  return str(value, field);
}

/** The header revision when present (0 = not given: nothing is checked against it). */
export function header(o: Record<string, unknown>): number {
  return o.revision === undefined || o.revision === null ? 0 : int(o.revision, 'value.revision');
}
