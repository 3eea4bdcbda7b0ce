// What a SOURCE names (DESIGN.md, "The CLI contract"): an archive or OCI layout on disk, or an
// image in an engine, `docker://REF` (DOCKER_HOST, the docker context, the default socket) or
// `podman://REF` (CONTAINER_HOST, Podman's sockets).
import { basename } from 'node:path';
import { StrataError } from '../errors';
import type { EngineKind } from './engine-endpoint';
import { parseImageRef } from './image-ref';

export type SourceSpec =
  { kind: 'path'; path: string } | { kind: 'engine'; engine: EngineKind; ref: string };

const ENGINE_SCHEME = /^(docker|podman):\/\/(.*)$/s;

export function parseSource(text: string): SourceSpec {
  const match = ENGINE_SCHEME.exec(text);
  if (!match) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      const scheme = text.slice(0, text.indexOf(':'));
      throw new StrataError(
        'bad-request',
        `${text}: Strata opens archive paths, docker://REF and podman://REF, not ${scheme}:// sources`,
      );
    }
    return { kind: 'path', path: text };
  }
  const engine = match[1] as EngineKind;
  const ref = match[2]!;
  if (ref === '') {
    throw new StrataError(
      'bad-request',
      `${text}: name the image after ${engine}://, such as ${engine}://alpine:3.20 or ${engine}://IMAGE_ID`,
    );
  }
  parseImageRef(ref);
  return { kind: 'engine', engine, ref };
}

/** How a SOURCE is named as an image's source: the archive's file name, or `docker://alpine:3`. */
export function sourceLabel(spec: SourceSpec): string {
  return spec.kind === 'path' ? basename(spec.path) : engineSourceLabel(spec.engine, spec.ref);
}

/** How an engine image is named in messages and as an image's source: `docker://alpine:3`. */
export function engineSourceLabel(engine: EngineKind, ref: string): string {
  return `${engine}://${ref}`;
}
