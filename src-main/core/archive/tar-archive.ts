// An archive that is one tar file: its table of contents comes from one walk over the headers
// (writers put manifest.json/index.json after the blobs, so the whole list comes first).
import type { ByteSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { walkTar } from '../tar/walk';
import { Archive, normalizeMemberName, type ArchiveMember } from './archive';

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
    let current = normalizeMemberName(name);
    for (let hops = 0; current !== null && hops < 16; hops++) {
      const member = this.members.get(current);
      if (!member) return undefined;
      if (member.typeflag === '2') {
        // podman and old docker store a repeated layer as `<id>/layer.tar -> ../<other>/layer.tar`
        const slash = current.lastIndexOf('/');
        const target =
          member.linkname.startsWith('/') || slash < 0
            ? member.linkname
            : `${current.slice(0, slash)}/${member.linkname}`;
        current = normalizeMemberName(target);
      } else if (member.typeflag === '1') {
        current = normalizeMemberName(member.linkname);
      } else if (member.typeflag === '0' || member.typeflag === '7') {
        return { name: current, size: member.size, source: this.source, offset: member.dataOffset };
      } else {
        return undefined;
      }
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
