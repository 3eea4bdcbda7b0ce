// Opens whatever the user pointed at as an Archive: a tar file, a tar compressed as a whole
// (`docker save img | gzip`), or an OCI layout directory. Detected by content, never by name.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressionCap, overLimitFor } from '../layer/read-layer';
import { FileSource } from '../io/byte-source';
import { compressionOf, decompressor, OutputLimitError, type Compression } from '../io/decompress';
import { StrataError } from '../errors';
import type { Archive } from './archive';
import { DirectoryArchive } from './directory-archive';
import { TarArchive } from './tar-archive';

/** How the file at `path` is compressed, from its first bytes. */
async function fileCompression(path: string): Promise<Compression> {
  const magic = Buffer.alloc(4);
  const handle = await open(path, 'r');
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  return compressionOf(magic);
}

/**
 * Whether the archive at `path` is read where it lies (a directory or a plain tar), not
 * decompressed into a spool file first (which another open of it would do again).
 */
export async function readInPlace(path: string): Promise<boolean> {
  const info = await stat(path);
  return info.isDirectory() || (await fileCompression(path)) === 'none';
}

export async function openArchive(path: string): Promise<Archive> {
  const info = await stat(path);
  if (info.isDirectory()) return DirectoryArchive.at(path);
  const compression = await fileCompression(path);
  if (compression === 'none') return readTarClosingOnError(await FileSource.open(path), path);

  // A compressed archive cannot be read by offset: decompress it once to a private spool file.
  const dir = await mkdtemp(join(tmpdir(), 'strata-spool-'));
  const spool = join(dir, 'archive.tar');
  try {
    await pipeline(
      createReadStream(path),
      decompressor(compression, decompressionCap(info.size)),
      capBytes(decompressionCap(info.size), path),
      createWriteStream(spool, { mode: 0o600 }),
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (err instanceof StrataError) throw err;
    if (err instanceof OutputLimitError) {
      throw new StrataError(
        'limit',
        `${path}: the archive decompresses to more than ${(err as OutputLimitError).limit} bytes, ${overLimitFor((err as OutputLimitError).limit)}`,
      );
    }
    throw new StrataError(
      'bad-archive',
      `${path}: the ${compression} archive is damaged (${(err as Error).message})`,
    );
  }
  const source = await FileSource.open(spool, {
    name: path,
    onClose: () => rm(dir, { recursive: true, force: true }),
  });
  return readTarClosingOnError(source, path);
}

/** Passes bytes through until `cap`, then fails: a compressed archive that expands without end. */
function capBytes(cap: number, path: string): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > cap) {
        callback(
          new StrataError(
            'limit',
            `${path}: the archive decompresses to more than ${cap} bytes, ${overLimitFor(cap)}`,
          ),
        );
      } else callback(null, chunk);
    },
  });
}

async function readTarClosingOnError(source: FileSource, name: string): Promise<Archive> {
  try {
    return await TarArchive.read(source, name);
  } catch (err) {
    await source.close();
    throw err;
  }
}
