// Test-only: a one-layer `docker save` archive of `count` empty files, written straight to disk
// (a million entries is half a gigabyte of headers: never held in memory).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { FIXED_MTIME } from '../tar/pack-tar';

function header(name: string, size: number, typeflag = '0'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write(`${FIXED_MTIME.toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  block.write(typeflag, 156, 'latin1');
  block.write('ustar\0' + '00', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

const pad = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512);

export function manyEntriesArchive(path: string, count: number): void {
  const layerPath = `${path}.layer`;
  const layer = openSync(layerPath, 'w');
  const hash = createHash('sha256');
  const batch: Buffer[] = [];
  const flush = (fd: number, chunks: Buffer[], into?: typeof hash): void => {
    const data = Buffer.concat(chunks);
    into?.update(data);
    writeSync(fd, data);
    chunks.length = 0;
  };
  for (let i = 0; i < count; i++) {
    batch.push(header(`d${Math.floor(i / 1000)}/f${i}`, 0));
    if (batch.length === 10_000) flush(layer, batch, hash);
  }
  batch.push(Buffer.alloc(1024));
  flush(layer, batch, hash);
  closeSync(layer);
  const layerSize = (count + 2) * 512;
  const diffId = hash.digest('hex');
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    history: [{ created_by: 'many empty files' }],
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const manifest = JSON.stringify([
    { Config: configName, RepoTags: ['many:entries'], Layers: [`${diffId}/layer.tar`] },
  ]);

  const out = openSync(path, 'w');
  writeSync(out, header(`${diffId}/layer.tar`, layerSize));
  const from = openSync(layerPath, 'r');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let n; (n = readSync(from, chunk)) > 0;) writeSync(out, chunk, 0, n);
  closeSync(from);
  unlinkSync(layerPath);
  for (const [name, body] of [
    [configName, config],
    ['manifest.json', manifest],
  ] as const) {
    const bytes = Buffer.from(body);
    writeSync(out, Buffer.concat([header(name, bytes.length), bytes, pad(bytes.length)]));
  }
  writeSync(out, Buffer.alloc(1024));
  closeSync(out);
}
