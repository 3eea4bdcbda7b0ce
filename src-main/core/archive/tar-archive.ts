// The outer archive's table of contents: every member's name, type and where its bytes lie.
// Writers put manifest.json/index.json after the blobs, so the whole header list comes first.
import type { ByteSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { LIMITS } from '../limits';
import { walkTar } from '../tar/walk';

export interface ArchiveMember {
  name: string;
  typeflag: string;
  size: number;
  dataOffset: number;
  linkname: string;
}

export class OuterIndex {
  private constructor(
    readonly source: ByteSource,
    private readonly members: Map<string, ArchiveMember>,
  ) {}

  static async read(source: ByteSource): Promise<OuterIndex> {
    const members = new Map<string, ArchiveMember>();
    for await (const entry of walkTar(source)) {
      const name = normalizeMemberName(entry.name);
      if (name === null) continue;
      members.set(name, {
        name,
        typeflag: entry.typeflag,
        size: entry.size,
        dataOffset: entry.dataOffset,
        linkname: entry.linkname,
      });
    }
    if (members.size === 0) {
      throw new StrataError('bad-archive', `${source.name}: the archive is empty or not a tar file`);
    }
    return new OuterIndex(source, members);
  }

  has(name: string): boolean {
    return this.resolve(name) !== undefined;
  }

  /** The member at `name`, following symlinks and hardlinks within the archive (podman's `layer.tar -> ../x.tar`). */
  resolve(name: string): ArchiveMember | undefined {
    let current = normalizeMemberName(name);
    for (let hops = 0; current !== null && hops < 16; hops++) {
      const member = this.members.get(current);
      if (!member) return undefined;
      if (member.typeflag === '2') {
        current = normalizeMemberName(joinRelative(current, member.linkname));
      } else if (member.typeflag === '1') {
        current = normalizeMemberName(member.linkname);
      } else {
        return member.typeflag === '0' || member.typeflag === '7' ? member : undefined;
      }
    }
    return undefined;
  }

  /** Reads a (small) JSON member, bounded by LIMITS.jsonBytes. */
  async readJson(name: string): Promise<unknown> {
    const member = this.resolve(name);
    if (!member) throw new StrataError('bad-archive', `${this.source.name}: "${name}" is missing from the archive`);
    if (member.size > LIMITS.jsonBytes) {
      throw new StrataError(
        'limit',
        `${this.source.name}: "${name}" is ${member.size} bytes, over the ${LIMITS.jsonBytes}-byte limit for JSON documents`,
      );
    }
    const bytes = await this.source.read(member.dataOffset, member.size);
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (err) {
      throw new StrataError('bad-archive', `${this.source.name}: "${name}" is not valid JSON (${(err as Error).message})`);
    }
  }

  async readBytes(member: ArchiveMember): Promise<Buffer> {
    return this.source.read(member.dataOffset, member.size);
  }
}

/** `./a//b/` -> `a/b`; null for the root or names that leave it. */
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

function joinRelative(from: string, target: string): string {
  if (target.startsWith('/')) return target;
  const slash = from.lastIndexOf('/');
  return slash < 0 ? target : `${from.slice(0, slash)}/${target}`;
}
