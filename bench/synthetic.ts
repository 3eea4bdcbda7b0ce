// The synthetic scale series: `docker save`-style archives of 10k, 100k and 1M tar entries,
// written directly (no engine), cached under .cache/bench/synthetic/. Four layers: a base of
// directories of small files and symlinks, a layer of new files, a chmod of a tenth of the base
// (same size, new mode), and a layer that whites out some base directories and adds a few files.
import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_ROOT } from './images';

const FORMAT = 'strata-bench-synthetic/1';
const MTIME = 1_700_000_000;
const FILES_PER_DIR = 48;

/** Buffered writes to one file, with a running sha256 (a layer's diff ID) and byte count. */
class Out {
  private buf = Buffer.alloc(8 * 1024 * 1024);
  private used = 0;
  bytes = 0;
  private readonly fd: number;
  constructor(
    path: string,
    private readonly hash: Hash | null = null,
  ) {
    this.fd = openSync(path, 'w');
  }
  write(data: Buffer): void {
    if (this.used + data.length > this.buf.length) this.flush();
    if (data.length > this.buf.length) {
      this.hash?.update(data);
      writeSync(this.fd, data);
    } else {
      data.copy(this.buf, this.used);
      this.used += data.length;
    }
    this.bytes += data.length;
  }
  flush(): void {
    if (!this.used) return;
    const chunk = this.buf.subarray(0, this.used);
    this.hash?.update(chunk);
    writeSync(this.fd, chunk);
    this.used = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

type Kind = 'file' | 'dir' | 'symlink';
const FLAG: Record<Kind, string> = { file: '0', dir: '5', symlink: '2' };

function octal(block: Buffer, at: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0') + '\0', at, 'latin1');
}

/** One ustar header block (names up to 100 bytes, or 255 with the prefix field). */
export function ustarHeader(
  name: string,
  kind: Kind,
  size: number,
  mode: number,
  linkname = '',
): Buffer {
  const block = Buffer.alloc(512);
  let prefix = '';
  if (name.length > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  block.write(name, 0, 'utf8');
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, MTIME);
  block.write(FLAG[kind], 156, 'latin1');
  block.write(linkname, 157, 'utf8');
  block.write('ustar\u000000', 257, 'latin1');
  block.write('root', 265, 'latin1');
  block.write('root', 297, 'latin1');
  block.write(prefix, 345, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i]!;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

const CONTENT = Buffer.alloc(1024, 'synthetic file content for the strata scale series\n');
const PAD = Buffer.alloc(512);

class LayerWriter {
  readonly hash = createHash('sha256');
  readonly out: Out;
  entries = 0;
  constructor(readonly path: string) {
    this.out = new Out(path, this.hash);
  }
  add(name: string, kind: Kind, size = 0, mode = kind === 'dir' ? 0o755 : 0o644, link = ''): void {
    this.out.write(ustarHeader(name, kind, size, mode, link));
    if (size > 0) {
      this.out.write(CONTENT.subarray(0, size));
      if (size % 512) this.out.write(PAD.subarray(0, 512 - (size % 512)));
    }
    this.entries++;
  }
  finish(): string {
    this.out.write(Buffer.alloc(1024));
    this.out.close();
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** A base-layer directory with its files: FILES_PER_DIR entries plus the directory itself. */
function baseDir(layer: LayerWriter, d: number, mode?: number): void {
  const dir = `usr/lib/pkg${d}`;
  layer.add(`${dir}/`, 'dir');
  for (let f = 0; f < FILES_PER_DIR; f++) {
    const i = d * FILES_PER_DIR + f;
    if (f % 10 === 9) layer.add(`${dir}/link${f}`, 'symlink', 0, 0o777, `file${f - 1}.so`);
    else layer.add(`${dir}/file${f}.so`, 'file', (i * 37) % 700, mode ?? 0o644);
  }
}

export interface SyntheticArchive {
  entries: number;
  path: string;
  bytes: number;
}

/** Writes (or finds) the archive of about `target` tar entries. */
export async function ensureSynthetic(
  target: number,
  log: (line: string) => void,
): Promise<SyntheticArchive> {
  const dir = join(BENCH_ROOT, 'synthetic');
  const path = join(dir, `${FORMAT.replace(/\W+/g, '-')}-${target}.tar`);
  const facts = `${path}.json`;
  if (existsSync(path) && existsSync(facts)) {
    const { entries } = JSON.parse(readFileSync(facts, 'utf8')) as { entries: number };
    return { entries, path, bytes: statSync(path).size };
  }
  await mkdir(dir, { recursive: true });
  const t0 = Date.now();
  const tmp = join(dir, `tmp-${target}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  const per = FILES_PER_DIR + 1;
  const baseDirs = Math.max(1, Math.round((target * 0.6) / per));
  const newDirs = Math.max(1, Math.round((target * 0.25) / per));
  const chmodDirs = Math.max(1, Math.round((target * 0.1) / per));
  const goneDirs = Math.max(1, Math.round(baseDirs / 10));

  const layers: LayerWriter[] = [];
  const l0 = new LayerWriter(join(tmp, 'l0.tar'));
  for (const d of ['usr', 'usr/lib', 'etc']) l0.add(`${d}/`, 'dir');
  for (let d = 0; d < baseDirs; d++) baseDir(l0, d);
  layers.push(l0);

  const l1 = new LayerWriter(join(tmp, 'l1.tar'));
  l1.add('srv/', 'dir');
  for (let d = 0; d < newDirs; d++) {
    l1.add(`srv/data${d}/`, 'dir');
    for (let f = 0; f < FILES_PER_DIR; f++)
      l1.add(`srv/data${d}/item${f}.json`, 'file', (f * 53) % 900);
  }
  layers.push(l1);

  const l2 = new LayerWriter(join(tmp, 'l2.tar'));
  l2.add('usr/', 'dir');
  l2.add('usr/lib/', 'dir');
  for (let d = 0; d < chmodDirs; d++) baseDir(l2, d, 0o664);
  layers.push(l2);

  const l3 = new LayerWriter(join(tmp, 'l3.tar'));
  l3.add('usr/', 'dir');
  l3.add('usr/lib/', 'dir');
  for (let g = 0; g < goneDirs; g++) l3.add(`usr/lib/.wh.pkg${baseDirs - 1 - g}`, 'file');
  const rest = Math.max(0, target - l0.entries - l1.entries - l2.entries - l3.entries - 2);
  l3.add('opt/', 'dir');
  l3.add('opt/new/', 'dir');
  for (let f = 0; f < rest; f++) l3.add(`opt/new/f${f}`, 'file', (f * 11) % 300);
  layers.push(l3);

  const diffIds = layers.map((l) => l.finish());
  const entries = layers.reduce((n, l) => n + l.entries, 0);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'], Labels: { 'strata.bench.entries': String(entries) } },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: 'base: directories of small files' },
        { created: '2024-01-01T00:00:00Z', created_by: 'COPY data /srv' },
        { created: '2024-01-01T00:00:00Z', created_by: 'RUN chmod -R g+w /usr/lib/pkg*' },
        { created: '2024-01-01T00:00:00Z', created_by: 'RUN rm -rf some packages' },
      ],
    }),
  );
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const layerNames = diffIds.map((id) => `${id.slice(7)}/layer.tar`);
  const manifest = Buffer.from(
    JSON.stringify([
      { Config: configName, RepoTags: [`strata-bench/synthetic:${target}`], Layers: layerNames },
    ]),
  );

  const outer = new Out(`${path}.tmp`);
  const member = (name: string, data: Buffer): void => {
    outer.write(ustarHeader(name, 'file', data.length, 0o644));
    outer.write(data);
    if (data.length % 512) outer.write(PAD.subarray(0, 512 - (data.length % 512)));
  };
  for (const [i, layer] of layers.entries()) {
    const name = layerNames[i]!;
    outer.write(ustarHeader(name.slice(0, name.indexOf('/') + 1), 'dir', 0, 0o755));
    const size = statSync(layer.path).size;
    outer.write(ustarHeader(name, 'file', size, 0o644));
    const fd = openSync(layer.path, 'r');
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (let at = 0; at < size;) {
      const n = readSync(fd, chunk, 0, chunk.length, at);
      outer.write(chunk.subarray(0, n));
      at += n;
    }
    closeSync(fd);
    if (size % 512) outer.write(PAD.subarray(0, 512 - (size % 512)));
  }
  member(configName, config);
  member('manifest.json', manifest);
  outer.write(Buffer.alloc(1024));
  outer.close();
  await rename(`${path}.tmp`, path);
  writeFileSync(facts, JSON.stringify({ entries }) + '\n');
  await rm(tmp, { recursive: true, force: true });
  log(`synthetic ${target}: ${entries} entries, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { entries, path, bytes: statSync(path).size };
}
