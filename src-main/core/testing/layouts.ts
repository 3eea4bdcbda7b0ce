// Test-only: the demo image re-packed in the layouts other writers produce (Docker 25+,
// containerd's store, podman), for what the engine on the test machine cannot write.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoImage, type DemoImage } from '../demo/demo-archive';
import { packTar, type TarItem } from '../tar/pack-tar';
import { processAlive } from '../source/export-cache';

const hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const blob = (data: Buffer | string): TarItem => ({
  name: `blobs/sha256/${hex(data)}`,
  body: Buffer.from(data),
});
const descriptor = (mediaType: string, data: Buffer | string, extra: object = {}) => ({
  mediaType,
  digest: `sha256:${hex(data)}`,
  size: Buffer.byteLength(data),
  ...extra,
});

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

function ociManifest(image: DemoImage, layers: Buffer[], layerType: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(OCI_CONFIG, image.config),
    layers: layers.map((l) => descriptor(layerType, l)),
  });
}

/**
 * Docker 25+ with the graphdriver store: uncompressed blobs, an OCI index and manifest.json.
 * `brokenOciManifest` writes Docker 25.0.0's OCI manifest without layers (moby#47065).
 */
export async function docker25Layout(image: DemoImage, brokenOciManifest = false): Promise<Buffer> {
  const manifest = ociManifest(image, brokenOciManifest ? [] : image.layers, LAYER_TAR);
  return packTar([
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...image.layers.map(blob),
    blob(image.config),
    blob(manifest),
    blob('{"id":"orphan legacy v1 json"}'),
    {
      name: 'index.json',
      body: JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          descriptor(OCI_MANIFEST, manifest, {
            annotations: {
              'io.containerd.image.name': `docker.io/${image.tag}`,
              'org.opencontainers.image.ref.name': '1.0',
            },
          }),
        ],
      }),
    },
    {
      name: 'manifest.json',
      body: JSON.stringify([
        {
          Config: `blobs/sha256/${hex(image.config)}`,
          RepoTags: [image.tag],
          Layers: image.layers.map((l) => `blobs/sha256/${hex(l)}`),
          LayerSources: {},
        },
      ]),
    },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'repositories', body: '{}' },
  ]);
}

/**
 * The containerd image store: gzip blobs, index.json -> nested index -> per-platform manifests,
 * one platform whose blobs were not exported, an attestation manifest; manifest.json optional.
 */
export async function containerdLayout(
  image: DemoImage,
  withManifestJson: boolean,
): Promise<Buffer> {
  const gz = image.layers.map((l) => gzipSync(l));
  const manifest = ociManifest(image, gz, LAYER_GZIP);
  const missing = ociManifest(
    { ...image, config: image.config.replace('amd64', 'arm64') },
    [Buffer.from('never exported')],
    LAYER_GZIP,
  );
  const attestation = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(OCI_CONFIG, '{}'),
    layers: [],
  });
  const nested = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      descriptor(OCI_MANIFEST, manifest, { platform: { os: 'linux', architecture: 'amd64' } }),
      descriptor(OCI_MANIFEST, missing, {
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      }),
      descriptor(OCI_MANIFEST, attestation, {
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': `sha256:${hex(manifest)}`,
        },
      }),
    ],
  });
  const items: TarItem[] = [
    ...gz.map(blob),
    blob(image.config),
    blob(manifest),
    blob(attestation),
    blob('{}'),
    blob(nested),
    {
      name: 'index.json',
      body: JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          descriptor(OCI_INDEX, nested, {
            annotations: { 'io.containerd.image.name': `docker.io/${image.tag}` },
          }),
        ],
      }),
    },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ];
  if (withManifestJson) {
    items.push({
      name: 'manifest.json',
      body: JSON.stringify([
        {
          Config: `blobs/sha256/${hex(image.config)}`,
          RepoTags: [image.tag],
          Layers: gz.map((l) => `blobs/sha256/${hex(l)}`),
        },
      ]),
    });
  }
  return packTar(items);
}

/** podman save / skopeo docker-archive: `<hex>.tar` layers at the root, legacy dirs symlinked, no directory entries. */
export async function podmanLayout(image: DemoImage): Promise<Buffer> {
  const items: TarItem[] = [];
  for (const [i, layer] of image.layers.entries()) {
    items.push({ name: `${hex(layer)}.tar`, body: layer });
    items.push({
      name: `${hex(`legacy${i}`)}/layer.tar`,
      type: 'symlink',
      linkname: `../${hex(layer)}.tar`,
    });
  }
  items.push(
    { name: `${hex(image.config)}.json`, body: image.config },
    {
      name: 'manifest.json',
      body: JSON.stringify([
        {
          Config: `${hex(image.config)}.json`,
          RepoTags: [`localhost/${image.tag}`],
          Layers: image.layers.map((_, i) => `${hex(`legacy${i}`)}/layer.tar`),
        },
      ]),
    },
  );
  return packTar(items);
}

/** Two images in one docker save (`docker save a b`). */
export async function twoImageArchive(a: DemoImage, b: DemoImage): Promise<Buffer> {
  const items: TarItem[] = [];
  const entries = [];
  for (const image of [a, b]) {
    for (const layer of image.layers) items.push({ name: `${hex(layer)}/layer.tar`, body: layer });
    items.push({ name: `${hex(image.config)}.json`, body: image.config });
    entries.push({
      Config: `${hex(image.config)}.json`,
      RepoTags: [image.tag],
      Layers: image.layers.map((l) => `${hex(l)}/layer.tar`),
    });
  }
  const seen = new Set<string>();
  const unique = items.filter((item) => !seen.has(item.name) && seen.add(item.name));
  unique.push({ name: 'manifest.json', body: JSON.stringify(entries) });
  return packTar(unique);
}

export async function demo(): Promise<DemoImage> {
  return buildDemoImage();
}

/**
 * The folder of this process's temp archives: removed when it exits, and by a later test process
 * if it was killed first (test runners stop their workers without an exit event).
 */
let tempRoot: string | null = null;
const ROOT_PREFIX = 'strata-layouts-';

function processTempRoot(): string {
  if (tempRoot) return tempRoot;
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^strata-layouts-(\d+)-/.exec(name)?.[1]);
    if (pid && !processAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  const root = mkdtempSync(join(tmpdir(), `${ROOT_PREFIX}${process.pid}-`));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  return (tempRoot = root);
}

/** Writes bytes to a fresh temp file and returns its path (gone with the test process). */
export function tempArchive(bytes: Buffer, name = 'archive.tar'): string {
  const path = join(mkdtempSync(join(processTempRoot(), 'archive-')), name);
  writeFileSync(path, bytes);
  return path;
}

/**
 * The demo image's v2: the same four layers, then one more that edits a file, adds one,
 * removes one and changes a mode; ENV changed and a label added.
 */
export async function demoV2(): Promise<DemoImage> {
  const v1 = await buildDemoImage();
  const layer = await packTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/os-release', body: 'NAME="Strata Demo Linux"\nID=strata-demo\nVERSION_ID=2.0\n' },
    { name: 'app/', type: 'directory' },
    {
      name: 'app/server.js',
      body: "const http = require('http');\nhttp.createServer((q, s) => s.end('hello')).listen(8080);\n",
      mode: 0o755,
    },
    { name: 'app/CHANGELOG.md', body: '# 2.0\n- a new version\n' },
    { name: 'app/public/', type: 'directory', uid: 1000, gid: 1000 },
    { name: 'app/public/.wh.logo.svg', body: '' },
  ]);
  const config = JSON.parse(v1.config) as {
    config: { Env: string[]; Labels: Record<string, string> };
    rootfs: { diff_ids: string[] };
    history: object[];
  };
  config.config.Env = config.config.Env.map((e) =>
    e === 'NODE_ENV=production' ? 'NODE_ENV=staging' : e,
  );
  config.config.Labels['org.example.channel'] = 'beta';
  config.rootfs.diff_ids.push(`sha256:${hex(layer)}`);
  config.history.push({
    created: '2023-11-15T00:00:00Z',
    created_by: '/bin/sh -c echo v2 && chmod +x /app/server.js',
  });
  return { tag: 'strata/demo:2.0', config: JSON.stringify(config), layers: [...v1.layers, layer] };
}

/** An image in the legacy `docker save` layout. */
export async function legacyArchive(image: DemoImage): Promise<Buffer> {
  const items: TarItem[] = image.layers.map((layer) => ({
    name: `${hex(layer)}/layer.tar`,
    body: layer,
  }));
  items.push(
    { name: `${hex(image.config)}.json`, body: image.config },
    {
      name: 'manifest.json',
      body: JSON.stringify([
        {
          Config: `${hex(image.config)}.json`,
          RepoTags: [image.tag],
          Layers: image.layers.map((l) => `${hex(l)}/layer.tar`),
        },
      ]),
    },
  );
  return packTar(items);
}

/** Every layer as several concatenated gzip members (as eStargz writes them), in an OCI index. */
export async function multiMemberGzipLayout(image: DemoImage): Promise<Buffer> {
  const members = (layer: Buffer): Buffer => {
    const parts: Buffer[] = [];
    for (let at = 0; at < layer.length; at += 3000)
      parts.push(gzipSync(layer.subarray(at, at + 3000)));
    return Buffer.concat(parts);
  };
  const gz = image.layers.map(members);
  const manifest = ociManifest(image, gz, LAYER_GZIP);
  return packTar([
    ...gz.map(blob),
    blob(image.config),
    blob(manifest),
    {
      name: 'index.json',
      body: JSON.stringify({
        schemaVersion: 2,
        manifests: [
          descriptor(OCI_MANIFEST, manifest, {
            annotations: { 'org.opencontainers.image.ref.name': image.tag },
          }),
        ],
      }),
    },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ]);
}
