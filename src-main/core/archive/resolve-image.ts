// From an outer archive to one image: its config and its ordered layer blobs.
// Layouts (REFERENCE.md): legacy docker save (manifest.json), Docker 25+ (manifest.json and an
// OCI index), and OCI layouts (index.json, possibly nested, possibly multi-platform).
import type { ArchiveFormat } from '../../api/model';
import { StrataError } from '../errors';
import { blobMismatch, digestNamedBy, digestOf } from '../integrity/digests';
import { LIMITS, overLimit } from '../limits';
import type { LayerBlob } from '../layer/read-layer';
import { parseImageConfig, type ImageConfig } from './image-config';
import { JsonReader } from './json-shape';
import { normalizeMemberName, type Archive } from './archive';

export interface ResolvedImage {
  format: ArchiveFormat;
  /** sha256 of the config blob, as the engines report the image ID. */
  id: string;
  tags: string[];
  config: ImageConfig;
  /** `member` as the manifest names it; `stored`, the member holding its bytes (links followed). */
  layers: { diffId: string; member: string; stored: string; blob: LayerBlob }[];
  /** Blobs that did not match their digests (the config, a manifest): the read went on. */
  warnings: string[];
}

export interface ImageChoice {
  /** `--image REF`: a tag or an ID prefix. */
  image?: string;
  /** `--platform OS/ARCH[/VARIANT]`. */
  platform?: string;
}

interface Candidate {
  tags: string[];
  configMember: string;
  layerMembers: string[];
  /** The digests the manifest names the config and the layer blobs by (null: not by content). */
  configDigest: string | null;
  layerDigests: (string | null)[];
  platform: string | null;
  /** A manifest or index on the way to this image that did not match its digest. */
  warnings: string[];
}

export async function resolveImage(
  archive: Archive,
  choice: ImageChoice = {},
): Promise<ResolvedImage> {
  const name = archive.name;
  const hasManifest = await archive.has('manifest.json');
  const hasIndex = await archive.has('index.json');
  let format: ArchiveFormat;
  let candidates: Candidate[];
  if (hasManifest) {
    format = hasIndex ? 'docker-save+oci' : 'docker-save';
    candidates = await dockerSaveCandidates(archive);
  } else if (hasIndex) {
    format = 'oci-layout';
    candidates = await ociCandidates(archive);
  } else {
    throw new StrataError(
      'bad-archive',
      `${name}: not an image archive (no manifest.json or index.json inside); expected the output of docker save, podman save or an OCI archive`,
    );
  }
  if (candidates.length === 0)
    throw new StrataError('bad-archive', `${name}: the archive holds no image`);

  const picked = pick(candidates, choice, name);
  const configMember = await archive.resolve(picked.configMember);
  if (!configMember)
    throw new StrataError(
      'bad-archive',
      `${name}: the image config "${picked.configMember}" is missing`,
    );
  if (configMember.size > LIMITS.jsonBytes) {
    throw new StrataError(
      'limit',
      `${name}: the image config "${picked.configMember}" is ${configMember.size} bytes, ${overLimit('jsonBytes')}`,
    );
  }
  const configBytes = await archive.readBytes(configMember);
  let configJson: unknown;
  try {
    configJson = JSON.parse(configBytes.toString('utf8'));
  } catch (err) {
    throw new StrataError(
      'bad-archive',
      `${name}: the image config "${picked.configMember}" is not valid JSON (${(err as Error).message})`,
    );
  }
  const warnings = [...picked.warnings];
  const configId = digestOf(configBytes, 'sha256');
  if (picked.configDigest) {
    const actual = picked.configDigest.startsWith('sha256:')
      ? configId
      : digestOf(configBytes, picked.configDigest);
    if (actual !== picked.configDigest) {
      warnings.push(
        blobMismatch(
          `the image config "${picked.configMember}"`,
          picked.configDigest,
          actual,
          'the manifest',
        ),
      );
    }
  }
  const config = parseImageConfig(configJson, `${name}: ${picked.configMember}`);
  if (config.diffIds.length !== picked.layerMembers.length) {
    throw new StrataError(
      'bad-archive',
      `${name}: the manifest lists ${picked.layerMembers.length} layers but the config's rootfs has ${config.diffIds.length}`,
    );
  }
  const layers = [];
  for (const [i, member] of picked.layerMembers.entries()) {
    const resolved = await archive.resolve(member);
    if (!resolved)
      throw new StrataError(
        'bad-archive',
        `${name}: layer ${i} ("${member}") is missing from the archive`,
      );
    layers.push({
      diffId: config.diffIds[i]!,
      member,
      stored: resolved.name,
      blob: {
        source: resolved.source,
        offset: resolved.offset,
        length: resolved.size,
        digest: picked.layerDigests[i] ?? null,
      },
    });
  }
  return {
    format,
    id: configId,
    tags: picked.tags,
    config,
    layers,
    warnings,
  };
}

async function dockerSaveCandidates(archive: Archive): Promise<Candidate[]> {
  const r = new JsonReader(`${archive.name}: manifest.json`);
  const list = r.array(await archive.readJson('manifest.json'), 'manifest.json');
  return list.map((item, i) => {
    const m = r.object(item, `entry ${i}`);
    const configMember = r.string(m.Config, `entry ${i}.Config`);
    const layerMembers = r.stringList(m.Layers ?? [], `entry ${i}.Layers`);
    // Docker 25+ names members blobs/sha256/<hex>, legacy configs <hex>.json: their digests.
    const named = (member: string) => digestNamedBy(normalizeMemberName(member) ?? '');
    return {
      tags: r.optionalStringList(m.RepoTags, `entry ${i}.RepoTags`) ?? [],
      configMember,
      layerMembers,
      configDigest: named(configMember),
      layerDigests: layerMembers.map(named),
      platform: null,
      warnings: [],
    };
  });
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return `blobs/${algorithm}/${hex}`;
}

async function ociCandidates(archive: Archive): Promise<Candidate[]> {
  const name = archive.name;
  const out: Candidate[] = [];
  const visit = async (
    where: string,
    indexJson: unknown,
    tagsFromParent: string[],
    depth: number,
    warningsFromParent: string[],
  ): Promise<void> => {
    if (depth > 4) throw new StrataError('bad-archive', `${name}: image indexes nested too deep`);
    const r = new JsonReader(`${name}: ${where}`);
    const index = r.object(indexJson, where);
    const manifests = r.array(index.manifests ?? [], 'manifests');
    for (const [i, item] of manifests.entries()) {
      const d = r.object(item, `manifests[${i}]`);
      const digest = r.digest(d.digest, `manifests[${i}].digest`);
      const annotations = d.annotations
        ? r.stringMap(d.annotations, `manifests[${i}].annotations`)
        : {};
      if (annotations['vnd.docker.reference.type'] === 'attestation-manifest') continue;
      const tag =
        annotations['io.containerd.image.name'] ?? annotations['org.opencontainers.image.ref.name'];
      const tags = tag ? [tag] : tagsFromParent;
      const path = blobPath(digest);
      if (!(await archive.has(path))) continue; // a platform the writer did not export
      const mediaType = typeof d.mediaType === 'string' ? d.mediaType : '';
      // The manifest (or nested index) is read whole anyway: check it against the digest.
      let actual = digest;
      const json = await archive.readJson(path, (bytes) => (actual = digestOf(bytes, digest)));
      const warnings =
        actual === digest
          ? warningsFromParent
          : [
              ...warningsFromParent,
              blobMismatch(`"${path}"`, digest, actual, `${where} (manifests[${i}])`),
            ];
      const isIndex =
        INDEX_TYPES.has(mediaType) ||
        (typeof json === 'object' && json !== null && 'manifests' in json);
      if (isIndex) {
        await visit(path, json, tags, depth + 1, warnings);
        continue;
      }
      const mr = new JsonReader(`${name}: ${path}`);
      const manifest = mr.object(json, 'the manifest');
      const config = mr.object(manifest.config, 'config');
      const configDigest = mr.digest(config.digest, 'config.digest');
      const layerDigests = mr
        .array(manifest.layers ?? [], 'layers')
        .map((l, j) => mr.digest(mr.object(l, `layers[${j}]`).digest, `layers[${j}].digest`));
      const p = d.platform ? r.object(d.platform, `manifests[${i}].platform`) : null;
      const platform = p
        ? [p.os, p.architecture, p.variant]
            .filter((x): x is string => typeof x === 'string' && x !== '')
            .join('/')
        : null;
      if (platform === 'unknown/unknown') continue;
      out.push({
        tags,
        configMember: blobPath(configDigest),
        layerMembers: layerDigests.map(blobPath),
        configDigest,
        layerDigests,
        platform,
        warnings,
      });
    }
  };
  await visit('index.json', await archive.readJson('index.json'), [], 0, []);
  return out;
}

function matchesRef(candidate: Candidate, ref: string): boolean {
  const wanted = new Set([ref, ref.includes(':') ? ref : `${ref}:latest`]);
  return candidate.tags.some(
    (tag) => wanted.has(tag) || wanted.has(tag.replace(/^(docker\.io\/)?(library\/)?/, '')),
  );
}

function pick(candidates: Candidate[], choice: ImageChoice, name: string): Candidate {
  let pool = candidates;
  if (choice.image) {
    pool = pool.filter((c) => matchesRef(c, choice.image!));
    if (pool.length === 0) {
      throw new StrataError(
        'not-found',
        `${name}: no image tagged "${choice.image}"; the archive holds ${describe(candidates)}`,
      );
    }
  }
  if (choice.platform) {
    const wanted = choice.platform;
    const byPlatform = pool.filter(
      (c) => c.platform === null || c.platform === wanted || c.platform.startsWith(`${wanted}/`),
    );
    if (byPlatform.length === 0) {
      throw new StrataError(
        'not-found',
        `${name}: no image for platform ${wanted}; the archive holds ${describe(pool)}`,
      );
    }
    pool = byPlatform;
  }
  if (pool.length > 1) {
    const platforms = new Set(pool.map((c) => c.platform));
    const flag = platforms.size > 1 && !platforms.has(null) ? '--platform OS/ARCH' : '--image REF';
    throw new StrataError(
      'bad-request',
      `${name}: the archive holds ${describe(pool)}; pick one with ${flag}`,
    );
  }
  return pool[0]!;
}

function describe(candidates: Candidate[]): string {
  const names = candidates.map((c) =>
    [c.tags.join(', ') || '(untagged)', c.platform].filter(Boolean).join(' '),
  );
  return `${candidates.length} image${candidates.length === 1 ? '' : 's'}: ${names.join('; ')}`;
}
