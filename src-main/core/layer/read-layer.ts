// Reads one layer blob into a LayerIndex: plain tars by their headers alone, compressed ones
// streamed once (hashing file contents on the way, since they cannot be read again by offset).
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import type { ByteSource } from '../io/byte-source';
import { StrataError } from '../errors';
import { walkTar } from '../tar/walk';
import { LayerIndexBuilder } from './index-builder';
import type { Compression, LayerIndex } from './layer-index';

/** Where a layer's bytes lie: a region of an archive. */
export interface LayerBlob {
  source: ByteSource;
  offset: number;
  length: number;
}

export async function detectCompression(blob: LayerBlob): Promise<Compression> {
  if (blob.length < 4) return 'none';
  const magic = await blob.source.read(blob.offset, 4);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  if (magic.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

export async function readLayer(blob: LayerBlob, diffId: string, label: string): Promise<LayerIndex> {
  const compression = await detectCompression(blob);
  const builder = new LayerIndexBuilder(diffId, compression, label);
  if (compression === 'none') {
    const end = blob.offset + blob.length;
    for await (const entry of walkTar(blob.source, { start: blob.offset, end, label })) {
      builder.add({ ...entry, dataOffset: entry.dataOffset - blob.offset });
    }
  } else if (compression === 'gzip') {
    await streamCompressedLayer(blob, builder, label);
  } else {
    throw new StrataError('unsupported', `${label}: zstd-compressed layers are not supported yet`);
  }
  return builder.finish();
}

const TYPEFLAGS: Partial<Record<NonNullable<Header['type']>, string>> = {
  file: '0',
  'contiguous-file': '7',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

async function streamCompressedLayer(blob: LayerBlob, builder: LayerIndexBuilder, label: string): Promise<void> {
  const parser = extract();
  let offset = 0;
  parser.on('entry', (header, body, next) => {
    const typeflag = (header.type && TYPEFLAGS[header.type]) ?? '?';
    const hash = typeflag === '0' || typeflag === '7' ? createHash('sha256') : null;
    body.on('data', (chunk: unknown) => hash?.update(chunk as Buffer));
    body.on('end', () => {
      try {
        const raw = {
          name: header.name,
          typeflag,
          size: header.size ?? 0,
          mode: header.mode ?? 0,
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
          mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
          linkname: header.linkname ?? '',
          dataOffset: offset,
          ...(hash ? { digest: `sha256:${hash.digest('hex')}` } : {}),
        };
        builder.add(raw);
        offset += header.size ?? 0;
        next();
      } catch (err) {
        next(err as Error);
      }
    });
    body.resume();
  });
  try {
    await pipeline(blob.source.stream(blob.offset, blob.offset + blob.length), createGunzip(), parser);
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw new StrataError('bad-archive', `${label}: the compressed layer is damaged (${(err as Error).message})`);
  }
}
