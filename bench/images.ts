// The realistic benchmark images, built once with a real engine and cached under
// .cache/bench/images/<hash>/: a Debian base from debootstrap, a real node_modules tree, a step
// deleting directories, a chmod -R over the node_modules tree, a 250 MiB incompressible file
// added then deleted; and a v2 sharing the base and node_modules layers. Each is saved with
// `docker save` and converted with skopeo to a gzip OCI archive.
import { createCipheriv, createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { toOciArchive } from '../e2e/fixtures/convert';
import { acquireEngine } from '../e2e/fixtures/engine';
import { buildImage, dockerFor, importRoot, saveImage } from '../e2e/fixtures/engine-api';

const run = promisify(execFile);

export const BENCH_ROOT = resolve('.cache/bench');
const FORMAT = 'strata-bench-images/1';
export const BASE_REF = 'strata-bench/debian:bookworm';
export const V1_REF = 'strata-bench/realistic:1';
export const V2_REF = 'strata-bench/realistic:2';
const BIG_FILE_BYTES = 250 * 1024 * 1024;
/** A fixed mtime for the build contexts, so the node_modules COPY hits the cache for v2. */
const CONTEXT_MTIME = '@1700000000';

/** Real npm packages whose installed tree (with dependencies) makes tens of thousands of files. */
const NPM_PACKAGES = [
  'typescript',
  'eslint',
  'webpack',
  'webpack-cli',
  '@babel/core',
  '@babel/preset-env',
  '@babel/preset-react',
  'lodash',
  'rxjs',
  'jest',
  'react',
  'react-dom',
  '@angular/core',
  '@angular/compiler-cli',
  '@mui/material',
  '@mui/icons-material',
  '@aws-sdk/client-s3',
  'date-fns',
  'moment',
  'core-js',
];

const SHARED_STEPS = `FROM ${BASE_REF}
ENV NODE_ENV=production
WORKDIR /app
COPY node_modules /app/node_modules
`;
const DELETE_DIRS =
  'RUN rm -rf /usr/share/doc /usr/share/man /usr/share/locale /usr/share/info /var/cache/debconf /var/lib/apt/lists /app/node_modules/date-fns/fp /app/node_modules/rxjs/src /app/node_modules/typescript/lib/lib.*.d.ts';

export const DOCKERFILE_V1 = `${SHARED_STEPS}COPY big.bin /opt/big.bin
${DELETE_DIRS}
RUN chmod -R g+w /app/node_modules
RUN rm -f /opt/big.bin
COPY app /app/src
CMD ["/bin/sh"]
`;

export const DOCKERFILE_V2 = `${SHARED_STEPS}${DELETE_DIRS} /app/node_modules/moment
RUN chmod -R g+w /app/node_modules
COPY app /app/src
CMD ["/bin/sh"]
`;

export interface BenchImages {
  dir: string;
  v1: { archive: string; ociGzip: string; ref: string };
  v2: { archive: string; ociGzip: string; ref: string };
  /** Seconds each build step took when the set was made. */
  buildSeconds: Record<string, number>;
  /** What the builder saw of the v1 image. */
  facts: { layers: number; sharedLayers: number; archiveBytes: number; ociGzipBytes: number };
}

export function imagesHash(): string {
  return createHash('sha256')
    .update(`${FORMAT}\0${DOCKERFILE_V1}\0${DOCKERFILE_V2}\0${NPM_PACKAGES.join(',')}`)
    .digest('hex')
    .slice(0, 16);
}

export function imagesDir(): string {
  return join(BENCH_ROOT, 'images', imagesHash());
}

export async function ensureBenchImages(log: (line: string) => void): Promise<BenchImages> {
  const dir = imagesDir();
  const done = join(dir, 'images.json');
  if (existsSync(done)) {
    log(`realistic images up to date in ${dir}`);
    return JSON.parse(readFileSync(done, 'utf8')) as BenchImages;
  }
  const seconds: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    log(`${step}...`);
    const value = await fn();
    seconds[step] = (Date.now() - t0) / 1000;
    log(`${step}: ${seconds[step]!.toFixed(1)} s`);
    return value;
  };
  await mkdir(BENCH_ROOT, { recursive: true });
  const rootTar = join(BENCH_ROOT, 'debian-rootfs.tar');
  if (!existsSync(rootTar)) await timed('debootstrap', () => debootstrap(rootTar));
  const nodeModules = join(BENCH_ROOT, 'nm-src');
  if (!existsSync(join(nodeModules, 'node_modules', '.package-lock.json')))
    await timed('npm install', () => npmInstall(nodeModules));
  const work = join(BENCH_ROOT, 'work');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await timed('context files', () => writeContextFiles(work));

  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const engine = await acquireEngine();
  let layers: string[][] = [];
  try {
    const docker = dockerFor(engine.dockerHost);
    await timed('docker import (Debian base)', async () =>
      importRoot(docker, await readFile(rootTar), BASE_REF),
    );
    for (const [ref, version] of [
      [V1_REF, 'v1'],
      [V2_REF, 'v2'],
    ] as const) {
      const context = await timed(`context tar ${version}`, () =>
        contextTar(work, version, nodeModules),
      );
      await timed(`docker build ${version}`, () => buildImage(docker, context, [ref]));
      await timed(`docker save ${version}`, () =>
        saveImage(docker, [ref], join(tmp, `${version}.tar`)),
      );
    }
    layers = await Promise.all(
      [V1_REF, V2_REF].map(async (ref) => {
        const inspect = (await docker.getImage(ref).inspect()) as {
          RootFS: { Layers: string[] };
        };
        return inspect.RootFS.Layers;
      }),
    );
  } finally {
    await engine.release();
  }
  for (const version of ['v1', 'v2'] as const) {
    const ref = version === 'v1' ? V1_REF : V2_REF;
    await timed(`skopeo oci-archive gzip ${version}`, () =>
      toOciArchive(
        join(tmp, `${version}.tar`),
        join(tmp, `${version}.oci-gzip.tar`),
        ref,
        'gzip',
        tmp,
      ),
    );
  }
  const [l1 = [], l2 = []] = layers;
  let shared = 0;
  while (shared < l1.length && l1[shared] === l2[shared]) shared++;
  const size = async (p: string) => (await import('node:fs/promises')).stat(p).then((s) => s.size);
  const images: BenchImages = {
    dir,
    v1: {
      archive: join(dir, 'v1.tar'),
      ociGzip: join(dir, 'v1.oci-gzip.tar'),
      ref: V1_REF,
    },
    v2: {
      archive: join(dir, 'v2.tar'),
      ociGzip: join(dir, 'v2.oci-gzip.tar'),
      ref: V2_REF,
    },
    buildSeconds: seconds,
    facts: {
      layers: l1.length,
      sharedLayers: shared,
      archiveBytes: await size(join(tmp, 'v1.tar')),
      ociGzipBytes: await size(join(tmp, 'v1.oci-gzip.tar')),
    },
  };
  if (shared < 2) log(`warning: v1 and v2 share ${shared} layers, expected at least 2`);
  await writeFile(join(tmp, 'images.json'), JSON.stringify(images, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  await rm(work, { recursive: true, force: true });
  return images;
}

/** `debootstrap --variant=minbase bookworm` from Debian's mirror, packed as a root tar. */
async function debootstrap(dest: string): Promise<void> {
  const root = join(BENCH_ROOT, 'rootfs');
  if (!existsSync(join(root, 'etc', 'debian_version'))) {
    await rm(root, { recursive: true, force: true });
    try {
      await run(
        'debootstrap',
        ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'],
        { maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT')
        throw new Error('debootstrap is not installed: `apt-get install debootstrap`');
      throw new Error(`debootstrap failed: ${(e.stderr ?? e.message).trim().slice(-2000)}`);
    }
  }
  await run('tar', ['--numeric-owner', '--sort=name', '-C', root, '-cf', `${dest}.tmp`, '.'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  await rename(`${dest}.tmp`, dest);
}

async function npmInstall(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'bench-node-modules', version: '1.0.0', private: true }) + '\n',
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...NPM_PACKAGES], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60_000,
  });
}

/** Deterministic pseudo-random bytes (AES-256-CTR over zeros): incompressible, same every time. */
function incompressible(bytes: number): Readable {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 3));
  const chunk = Buffer.alloc(1024 * 1024);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(cipher.update(chunk.subarray(0, n)));
    },
  });
}

/** Files in /app/src/static: the benchmark's directory of 10k children. */
export const STATIC_DIR = '/app/src/static';
export const STATIC_FILES = 10_000;

/**
 * The application: sources (v1 and v2 differ in a few files) and a generated site of 10k pages
 * in one directory; and the big file.
 */
async function writeContextFiles(work: string): Promise<void> {
  for (const version of ['v1', 'v2'] as const) {
    const app = join(work, version, 'app');
    await mkdir(join(app, 'static'), { recursive: true });
    for (let p = 0; p < STATIC_FILES; p++) {
      const changed = version === 'v2' && p % 13 === 0;
      const body = `<h1>Page ${p}${changed ? ' (v2)' : ''}</h1>\n`.repeat(1 + (p % 40));
      await writeFile(join(app, 'static', `page-${String(p).padStart(5, '0')}.html`), body);
    }
    for (let d = 0; d < 20; d++) {
      await mkdir(join(app, `module${d}`), { recursive: true });
      for (let f = 0; f < 25; f++) {
        const changed = version === 'v2' && (d * 25 + f) % 7 === 0;
        const text = `// module ${d} file ${f}${changed ? ' (v2)' : ''}\n`.repeat(10 + f * 3);
        await writeFile(join(app, `module${d}`, `file${f}.js`), text);
      }
    }
    await writeFile(
      join(work, version, 'Dockerfile'),
      version === 'v1' ? DOCKERFILE_V1 : DOCKERFILE_V2,
    );
  }
  await pipeline(incompressible(BIG_FILE_BYTES), createWriteStream(join(work, 'v1', 'big.bin')));
}

/** The build context of one version as a tar: its own files plus the shared node_modules. */
async function contextTar(
  work: string,
  version: 'v1' | 'v2',
  nodeModules: string,
): Promise<Buffer> {
  const dest = join(work, `context-${version}.tar`);
  const own = version === 'v1' ? ['Dockerfile', 'app', 'big.bin'] : ['Dockerfile', 'app'];
  await run(
    'tar',
    [
      '--sort=name',
      `--mtime=${CONTEXT_MTIME}`,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-cf',
      dest,
      '-C',
      join(work, version),
      ...own,
      '-C',
      nodeModules,
      'node_modules',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return readFile(dest);
}
