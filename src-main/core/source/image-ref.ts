// Image references and IDs are checked here before they reach an engine URL: dockerode puts
// names into request paths unencoded, so `a?b`, `a#b` or `../x` would change the request.
// Grammar: github.com/distribution/reference (reference.go), plus engine image IDs.
import { StrataError } from '../errors';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const IMAGE_ID = /^(?:sha256:[0-9a-f]{64}|[0-9a-f]{1,64})$/;
const MAX_NAME = 255;

export type ImageRef =
  | { kind: 'id'; text: string }
  | { kind: 'reference'; text: string; name: string; tag: string | null; digest: string | null };

function refuse(ref: string, why: string): never {
  const shown = ref.length > 80 ? `${ref.slice(0, 80)}…` : ref;
  throw new StrataError(
    'bad-request',
    `"${shown}" is not an image name or ID: ${why} (expected NAME[:TAG][@DIGEST], such as alpine:3.20 or ghcr.io/org/app@sha256:…, or an image ID)`,
  );
}

/** Checks `ref` against the reference grammar; throws a bad-request StrataError naming the problem. */
export function parseImageRef(ref: string): ImageRef {
  if (typeof ref !== 'string' || ref.length === 0) refuse(String(ref), 'it is empty');
  const odd = /[^A-Za-z0-9._:/@+-]/.exec(ref);
  if (odd) {
    const char = odd[0] === ' ' ? 'a space' : JSON.stringify(odd[0]);
    refuse(ref, `${char} cannot appear in one`);
  }
  if (IMAGE_ID.test(ref)) return { kind: 'id', text: ref };
  const match = REFERENCE.exec(ref);
  if (!match) {
    if (/[A-Z]/.test(ref.split(/[:@]/)[0]!.split('/').slice(-1)[0]!)) {
      refuse(ref, 'repository names are lower case');
    }
    refuse(ref, 'it does not follow the reference grammar');
  }
  const name = match[1] ? `${match[1]}/${match[2]}` : match[2]!;
  if (name.length > MAX_NAME) refuse(ref, `the name is longer than ${MAX_NAME} characters`);
  return { kind: 'reference', text: ref, name, tag: match[3] ?? null, digest: match[4] ?? null };
}

/** The bare hex of an image ID (`sha256:abc…` -> `abc…`), as every engine accepts it. */
export function idHex(id: string): string {
  return id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
}
