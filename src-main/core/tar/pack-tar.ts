// Writing small tars in memory with tar-stream: the demo image, and hand-made test archives.
import { pack, type Header } from 'tar-stream';

export interface TarItem {
  name: string;
  type?: Header['type'];
  /** File content; strings are UTF-8. */
  body?: Buffer | string;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  /** Seconds since the epoch; fixed by default so output is reproducible. */
  mtime?: number;
  /** PAX records written before the entry (they override its header fields). */
  pax?: Record<string, string>;
}

export const FIXED_MTIME = 1_700_000_000;

export async function packTar(items: TarItem[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const item of items) {
    const type = item.type ?? 'file';
    const body = item.body === undefined ? undefined : Buffer.from(item.body);
    const header: Partial<Header> & { name: string } = {
      name: item.name,
      type,
      mode: item.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: item.uid ?? 0,
      gid: item.gid ?? 0,
      mtime: new Date((item.mtime ?? FIXED_MTIME) * 1000),
      ...(item.linkname ? { linkname: item.linkname } : {}),
      ...(item.pax ? { pax: item.pax } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const callback = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file' && body) p.entry(header, body, callback);
      else p.entry({ ...header, size: 0 }, callback);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
