// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/`), read in place.
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { FileSource } from '../io/byte-source';
import { Archive, normalizeMemberName, type ArchiveMember } from './archive';

export class DirectoryArchive extends Archive {
  private readonly open = new Map<string, Promise<FileSource>>();

  private constructor(
    readonly name: string,
    private readonly root: string,
  ) {
    super();
  }

  static async at(path: string): Promise<DirectoryArchive> {
    return new DirectoryArchive(path, await realpath(path));
  }

  async resolve(name: string): Promise<ArchiveMember | undefined> {
    const member = normalizeMemberName(name);
    if (member === null) return undefined;
    let real: string;
    try {
      real = await realpath(join(this.root, ...member.split('/')));
      if (!real.startsWith(this.root + sep) || !(await stat(real)).isFile()) return undefined;
    } catch {
      return undefined;
    }
    let source = this.open.get(real);
    if (!source) {
      source = FileSource.open(real);
      this.open.set(real, source);
    }
    const file = await source;
    return { name: member, size: file.size, source: file, offset: 0 };
  }

  async close(): Promise<void> {
    const sources = await Promise.allSettled(this.open.values());
    await Promise.all(sources.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    this.open.clear();
  }
}
