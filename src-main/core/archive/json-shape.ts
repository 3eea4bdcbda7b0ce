// Small readers for untrusted JSON: each returns a typed value or throws one clear error.
import { StrataError } from '../errors';

export type JsonObject = Record<string, unknown>;

export class JsonReader {
  constructor(
    /** "img.tar: manifest.json" */
    private readonly where: string,
  ) {}

  fail(problem: string): never {
    throw new StrataError('bad-archive', `${this.where}: ${problem}`);
  }

  object(value: unknown, what: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(`${what} is not an object`);
    return value as JsonObject;
  }

  array(value: unknown, what: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`${what} is not a list`);
    return value;
  }

  string(value: unknown, what: string): string {
    if (typeof value !== 'string') this.fail(`${what} is not a string`);
    return value;
  }

  optionalString(value: unknown, what: string): string | null {
    return value === undefined || value === null ? null : this.string(value, what);
  }

  stringList(value: unknown, what: string): string[] {
    return this.array(value, what).map((item, i) => this.string(item, `${what}[${i}]`));
  }

  optionalStringList(value: unknown, what: string): string[] | null {
    return value === undefined || value === null ? null : this.stringList(value, what);
  }

  /** Keys of an object such as ExposedPorts (`{"80/tcp": {}}`). */
  keys(value: unknown, what: string): string[] {
    return value === undefined || value === null ? [] : Object.keys(this.object(value, what));
  }

  stringMap(value: unknown, what: string): Record<string, string> {
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    if (value === undefined || value === null) return out;
    for (const [key, item] of Object.entries(this.object(value, what))) {
      out[key] = this.string(item, `${what}["${key}"]`);
    }
    return out;
  }

  digest(value: unknown, what: string): string {
    const digest = this.string(value, what);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest) && !/^sha512:[0-9a-f]{128}$/.test(digest)) {
      this.fail(`${what} "${digest.slice(0, 80)}" is not a valid digest`);
    }
    return digest;
  }
}
