// The demo image Strata opens when a user has nothing else: a small `docker save` archive,
// generated deterministically (no engine needed) with real layers, a deletion and a rewrite.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTar, FIXED_MTIME, type TarItem } from '../tar/pack-tar';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Deterministic filler bytes that do not compress to nothing. */
function filler(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = Buffer.from(sha256(seed), 'hex');
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const dir = (name: string, mode = 0o755): TarItem => ({ name, type: 'directory', mode });
const file = (name: string, body: Buffer | string, mode = 0o644): TarItem => ({ name, body, mode });

interface DemoStep {
  createdBy: string;
  items?: TarItem[];
}

const PACKAGE_JSON = (version: string): string =>
  JSON.stringify(
    { name: 'hello-strata', version, main: 'server.js', dependencies: { tiny: '1.0.0' } },
    null,
    2,
  ) + '\n';

const STEPS: DemoStep[] = [
  {
    createdBy: '/bin/sh -c #(nop) ADD file:3c5b8e0f1a2d in / ',
    items: [
      dir('bin/'),
      file('bin/busybox', filler('busybox', 96 * 1024), 0o755),
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/ls', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/cat', type: 'symlink', linkname: '/bin/busybox' },
      dir('etc/'),
      file('etc/os-release', 'NAME="Strata Demo Linux"\nID=strata-demo\nVERSION_ID=1.0\n'),
      file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n'),
      file('etc/group', 'root:x:0:\napp:x:1000:\n'),
      dir('root/', 0o700),
      dir('tmp/', 0o1777),
      dir('usr/'),
      dir('usr/share/'),
      dir('usr/share/doc/'),
      file('usr/share/doc/README', 'This image was made by Strata to show how layers stack.\n'),
    ],
  },
  { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]' },
  { createdBy: '/bin/sh -c #(nop)  ENV NODE_ENV=production' },
  {
    createdBy: '/bin/sh -c apk add --no-progress nodejs-tiny && mkdir -p /var/cache/apk',
    items: [
      dir('usr/'),
      dir('usr/lib/'),
      file('usr/lib/libtiny.so.1', filler('libtiny', 64 * 1024), 0o755),
      dir('var/'),
      dir('var/cache/'),
      dir('var/cache/apk/'),
      file('var/cache/apk/APKINDEX.tar.gz', filler('apkindex', 48 * 1024)),
      file('var/cache/apk/nodejs-tiny.apk', filler('nodejs-tiny', 32 * 1024)),
    ],
  },
  { createdBy: '/bin/sh -c #(nop) WORKDIR /app' },
  {
    createdBy: '/bin/sh -c #(nop) COPY dir:8f1e2a7c in /app ',
    items: [
      dir('app/'),
      file('app/package.json', PACKAGE_JSON('1.0.0')),
      file(
        'app/server.js',
        "const http = require('http');\nhttp.createServer((q, s) => s.end('hello')).listen(8080);\n",
      ),
      dir('app/public/'),
      file(
        'app/public/index.html',
        '<!doctype html>\n<title>hello</title>\n<h1>hello, strata</h1>\n',
      ),
      file(
        'app/public/logo.svg',
        '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#3b82f6"/></svg>\n',
      ),
      file('app/data.bin', filler('data', 40 * 1024)),
    ],
  },
  {
    createdBy:
      '/bin/sh -c rm -rf /var/cache/apk/* && sed -i "s/1.0.0/1.0.1/" /app/package.json && chown -R 1000:1000 /app/public && rm /app/data.bin',
    items: [
      dir('app/'),
      file('app/package.json', PACKAGE_JSON('1.0.1')),
      { ...dir('app/public/'), uid: 1000, gid: 1000 },
      {
        ...file(
          'app/public/index.html',
          '<!doctype html>\n<title>hello</title>\n<h1>hello, strata</h1>\n',
        ),
        uid: 1000,
        gid: 1000,
      },
      {
        ...file(
          'app/public/logo.svg',
          '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#3b82f6"/></svg>\n',
        ),
        uid: 1000,
        gid: 1000,
      },
      { name: 'app/.wh.data.bin', body: '' },
      dir('var/'),
      dir('var/cache/'),
      dir('var/cache/apk/'),
      { name: 'var/cache/apk/.wh.APKINDEX.tar.gz', body: '' },
      { name: 'var/cache/apk/.wh.nodejs-tiny.apk', body: '' },
    ],
  },
  { createdBy: '/bin/sh -c #(nop)  EXPOSE 8080/tcp' },
  { createdBy: '/bin/sh -c #(nop)  USER app' },
  { createdBy: '/bin/sh -c #(nop)  CMD ["node" "server.js"]' },
];

export interface DemoImage {
  tag: string;
  /** The config JSON, as stored. */
  config: string;
  /** Uncompressed layer tars, base first. */
  layers: Buffer[];
}

export async function buildDemoImage(): Promise<DemoImage> {
  const created = (i: number): string => new Date((FIXED_MTIME + i * 60) * 1000).toISOString();
  const layers: Buffer[] = [];
  const history = [];
  for (const [i, step] of STEPS.entries()) {
    history.push({
      created: created(i),
      created_by: step.createdBy,
      ...(step.items ? {} : { empty_layer: true }),
    });
    if (step.items) layers.push(await packTar(step.items));
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: created(STEPS.length - 1),
    config: {
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'NODE_ENV=production',
      ],
      Cmd: ['node', 'server.js'],
      WorkingDir: '/app',
      User: 'app',
      ExposedPorts: { '8080/tcp': {} },
      Labels: {
        'org.opencontainers.image.title': 'Strata demo',
        'org.opencontainers.image.version': '1.0.1',
      },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
    history,
  });
  return { tag: 'strata/demo:1.0', config, layers };
}

/** The demo image as a legacy `docker save` archive (`<id>/layer.tar`, `manifest.json`). */
export async function buildDemoArchive(): Promise<Buffer> {
  const { tag, config, layers } = await buildDemoImage();
  const ids: string[] = [];
  for (const layer of layers) ids.push(sha256(`${ids.at(-1) ?? ''}${sha256(layer)}`));
  const configName = `${sha256(config)}.json`;
  const items: TarItem[] = [];
  layers.forEach((layer, i) => {
    items.push(
      dir(`${ids[i]}/`),
      file(`${ids[i]}/VERSION`, '1.0'),
      file(`${ids[i]}/layer.tar`, layer),
    );
  });
  items.push(
    file(configName, config),
    file(
      'manifest.json',
      JSON.stringify([
        { Config: configName, RepoTags: [tag], Layers: ids.map((id) => `${id}/layer.tar`) },
      ]),
    ),
    file('repositories', JSON.stringify({ 'strata/demo': { '1.0': ids.at(-1)! } })),
  );
  return packTar(items);
}

let pending: Promise<string> | undefined;

/** The demo archive's path, written once to the OS temp dir (its name carries its hash). */
export function demoArchivePath(): Promise<string> {
  pending ??= (async () => {
    const archive = await buildDemoArchive();
    const path = join(tmpdir(), `strata-demo-${sha256(archive).slice(0, 16)}.tar`);
    if (!existsSync(path)) {
      const partial = `${path}.${process.pid}.partial`;
      await writeFile(partial, archive);
      await rename(partial, path);
    }
    return path;
  })();
  return pending;
}
