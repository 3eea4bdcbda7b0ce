// One image, four archive forms: the `docker save` archive, skopeo's OCI archives with gzip and
// with zstd layers, and the gzipped `docker save`. Strata must read the same image from each:
// `inspect --json` and `ls --json` for every layer agree, but for what the conversion changes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { InspectResult } from '../src-main/api/model';
import type { ListedEntry } from '../src-main/core/image/layer-view';
import { FIXTURES, type FixtureName } from './fixtures/images';
import { fixturePaths, type FixtureFiles } from './fixtures';
import { readStrataView, strataJson, type StrataView } from './fixtures/strata-reader';
import { readTarMembers } from './fixtures/tar-listing';

type ConvertedForm = 'ociGzip' | 'ociZstd' | 'archiveGz';
const CONVERTED: ConvertedForm[] = ['ociGzip', 'ociZstd', 'archiveGz'];

interface OciManifest {
  config: { digest: string };
  layers: { mediaType: string }[];
}

/**
 * The (single) manifest of an OCI archive, read with tar-stream. Its config digest is the image
 * ID Strata must report: skopeo 1.9 re-encodes the config when it writes an OCI manifest (it
 * drops Docker's `container`, `container_config` and `docker_version`), so the ID differs from
 * the engine's.
 */
async function ociManifest(path: string): Promise<OciManifest> {
  const index = JSON.parse(
    (await readTarMembers(path, (n) => n === 'index.json')).get('index.json')!.toString('utf8'),
  ) as { manifests: { digest: string }[] };
  expect(index.manifests).toHaveLength(1);
  const blob = `blobs/sha256/${index.manifests[0]!.digest.slice('sha256:'.length)}`;
  return JSON.parse(
    (await readTarMembers(path, (n) => n === blob)).get(blob)!.toString('utf8'),
  ) as OciManifest;
}

/** Everything but the archive format, the image ID and the tags (checked on their own). */
function comparable(result: InspectResult): unknown {
  const { format: _format, image, ...rest } = result;
  const { id: _id, tags: _tags, ...meta } = image;
  return { image: meta, ...rest };
}

const names = Object.keys(FIXTURES) as FixtureName[];

describe.each(names)('%s: every archive form reads as the docker save archive', (name) => {
  let files: FixtureFiles;
  let reference: StrataView;

  beforeAll(async () => {
    files = fixturePaths().fixtures[name];
    reference = await readStrataView(files.archive);
  });

  it.each(CONVERTED)('%s', async (form) => {
    const view = await readStrataView(files[form]);
    const tags = FIXTURES[name].tags;
    if (form === 'archiveGz') {
      expect(view.inspect.image.id).toBe(reference.inspect.image.id);
      expect(view.inspect.image.tags).toEqual(reference.inspect.image.tags);
    } else {
      const manifest = await ociManifest(files[form]);
      expect(view.inspect.image.id).toBe(manifest.config.digest);
      const compression = form === 'ociZstd' ? 'zstd' : 'gzip';
      for (const layer of manifest.layers) {
        expect(layer.mediaType).toBe(`application/vnd.oci.image.layer.v1.tar+${compression}`);
      }
      // skopeo writes the one reference it was given (the first tag) as the ref name.
      expect(view.inspect.image.tags).toEqual([tags[0]]);
    }
    expect(comparable(view.inspect)).toEqual(comparable(reference.inspect));
    expect(view.layers).toHaveLength(reference.layers.length);
    view.layers.forEach((listing, i) => {
      expect(listing, `ls --layer ${i}`).toEqual(reference.layers[i]);
    });
  });
});

// The same through the built CLI, end to end, for the fixture with the odd cases: four
// `inspect --json` and two `ls --json` runs.
describe('edge through the CLI: the same JSON from every form', () => {
  let files: FixtureFiles;
  let reference: StrataView;

  beforeAll(async () => {
    files = fixturePaths().fixtures.edge;
    reference = await readStrataView(files.archive);
  });

  it.each(['archive', ...CONVERTED] as const)('strata inspect %s --json', async (form) => {
    // The CLI adds the findings (e2e/findings.test.ts checks them); the rest is the core's reading.
    const { findings: _findings, ...result } = await strataJson<InspectResult>([
      'inspect',
      files[form],
    ]);
    expect(comparable(result)).toEqual(comparable(reference.inspect));
    if (form === 'archive') expect(result).toEqual(reference.inspect);
  });

  it('strata ls --json (last layer) of the zstd OCI archive', async () => {
    const listing = await strataJson<ListedEntry[]>(['ls', files.ociZstd]);
    expect(listing).toEqual(reference.layers.at(-1));
  });

  it('strata ls --layer 5 --json of the gzipped archive', async () => {
    const listing = await strataJson<ListedEntry[]>(['ls', files.archiveGz, '--layer', '5']);
    expect(listing).toEqual(reference.layers[5]);
  });
});
