// An archive that is one tar file: its table of contents comes from one walk over the headers
// (writers put manifest.json/index.json after the blobs, so the whole list comes first).
import type { ByteSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { walkTar } from '../tar/walk';
import { Archive, followLinks, normalizeMemberName, type ArchiveMember } from './archive';

interface TarMember {
  typeflag: string;
  size: number;
  dataOffset: number;
  linkname: string;
}

export class TarArchive extends Archive {
  private constructor(
    readonly name: string,
    private readonly source: ByteSource,
    private readonly members: Map<string, TarMember>,
  ) {
    super();
  }

  static async read(source: ByteSource, name = source.name): Promise<TarArchive> {
    const members = new Map<string, TarMember>();
    try {
      for await (const entry of walkTar(source, { label: name })) {
        const member = normalizeMemberName(entry.name);
        if (member === null) continue;
        members.set(member, {
          typeflag: entry.typeflag,
          size: entry.size,
          dataOffset: entry.dataOffset,
          linkname: entry.linkname,
        });
      }
    } catch (err) {
      // A whole header whose entry runs past the end: a tar cut short, not something else.
      if (
        members.size > 0 ||
        !(err instanceof StrataError) ||
        /: truncated: entry /.test(err.message)
      )
        throw err;
      throw new StrataError(
        'bad-archive',
        `${name}: not a tar archive; expected the output of docker save, podman save or an OCI archive (${err.message.replace(`${name}: `, '')})`,
      );
    }
    if (members.size === 0)
      throw new StrataError('bad-archive', `${name}: the archive is empty or not a tar file`);
    return new TarArchive(name, source, members);
  }

  async resolve(name: string): Promise<ArchiveMember | undefined> {
    const stored = followLinks(name, (member) => this.members.get(member));
    const member = stored === null ? undefined : this.members.get(stored);
    if (stored === null || !member) return undefined;
    return { name: stored, size: member.size, source: this.source, offset: member.dataOffset };
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
