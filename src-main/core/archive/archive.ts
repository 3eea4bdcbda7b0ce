// What the layout readers need from an outer archive, whatever holds it: a tar file (possibly
// compressed as a whole) or an OCI layout directory.
import type { ByteSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { LIMITS, overLimit } from '../limits';

/** A regular file inside the archive and where its bytes lie. */
export interface ArchiveMember {
  name: string;
  size: number;
  source: ByteSource;
  offset: number;
}

export abstract class Archive {
  /** The path the user gave: named in every error. */
  abstract readonly name: string;

  /** The regular file at `name` (relative, `/`-separated), following links inside the archive. */
  abstract resolve(name: string): Promise<ArchiveMember | undefined>;

  abstract close(): Promise<void>;

  async has(name: string): Promise<boolean> {
    return (await this.resolve(name)) !== undefined;
  }

  async readBytes(member: ArchiveMember): Promise<Buffer> {
    return member.source.read(member.offset, member.size);
  }

  /** Reads a (small) JSON member, bounded by LIMITS.jsonBytes; `bytes` sees its raw bytes. */
  async readJson(name: string, bytes?: (raw: Buffer) => void): Promise<unknown> {
    const member = await this.resolve(name);
    if (!member)
      throw new StrataError('bad-archive', `${this.name}: "${name}" is missing from the archive`);
    if (member.size > LIMITS.jsonBytes) {
      throw new StrataError(
        'limit',
        `${this.name}: "${name}" is ${member.size} bytes, ${overLimit('jsonBytes')}`,
      );
    }
    const raw = await this.readBytes(member);
    bytes?.(raw);
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch (err) {
      throw new StrataError(
        'bad-archive',
        `${this.name}: "${name}" is not valid JSON (${(err as Error).message})`,
      );
    }
  }
}

/** `./a//b/` -> `a/b`; `..` cannot climb above the top; null for the top itself. */
export function normalizeMemberName(name: string): string | null {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.length ? parts.join('/') : null;
}
