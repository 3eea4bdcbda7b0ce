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

/** A member as far as following it goes: its type and, for a link, what it names. */
export interface LinkedMember {
  typeflag: string;
  linkname: string;
}

/**
 * The member that holds `name`'s bytes, following symlinks (relative to the link's folder) and
 * hard links (from the top), as podman and old docker store a repeated layer:
 * `<id>/layer.tar -> ../<other>/layer.tar`. Null for a missing member, one that is neither a
 * file nor a link, or more than 16 hops.
 */
export function followLinks(
  name: string,
  memberOf: (name: string) => LinkedMember | undefined,
): string | null {
  let current = normalizeMemberName(name);
  for (let hops = 0; current !== null && hops < 16; hops++) {
    const member = memberOf(current);
    if (!member) return null;
    if (member.typeflag === '2') {
      const slash = current.lastIndexOf('/');
      const target =
        member.linkname.startsWith('/') || slash < 0
          ? member.linkname
          : `${current.slice(0, slash)}/${member.linkname}`;
      current = normalizeMemberName(target);
    } else if (member.typeflag === '1') {
      current = normalizeMemberName(member.linkname);
    } else {
      return member.typeflag === '0' || member.typeflag === '7' ? current : null;
    }
  }
  return null;
}
