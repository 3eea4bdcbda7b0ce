// What `strata inspect` and `strata ci` read of a SOURCE, apart from source.ts so that the other
// commands do not load the modules it needs.
import type { Finding } from '../api/findings';
import type { InspectResult } from '../api/model';
import { findFindings } from '../core/analysis/findings';
import { findingsOfColumns, summarizeColumns } from '../core/columns/inspect-columns';
import { loadColumns } from '../core/columns/load-columns';
import { summarize } from '../core/inspect';
import { parseSource } from '../core/source/source-spec';
import { openCliSource, type SourceChoice } from './source';

/**
 * The inspect summary of SOURCE, and its findings when asked for: an archive is read into the
 * model on interned paths, which holds no path as a string (docs/interned-paths.md); an engine's
 * image through the image model its export is indexed into.
 */
export async function inspectCliSource(
  text: string,
  choice: SourceChoice,
  { findings }: { findings: boolean },
): Promise<{ summary: InspectResult; findings: Finding[] }> {
  const spec = parseSource(text);
  if (spec.kind === 'path') {
    const image = await loadColumns(spec.path, { image: choice.image, platform: choice.platform });
    try {
      return {
        summary: summarizeColumns(image),
        findings: findings ? await findingsOfColumns(image) : [],
      };
    } finally {
      await image.close();
    }
  }
  const model = await openCliSource(text, choice);
  try {
    return { summary: summarize(model), findings: findings ? await findFindings(model) : [] };
  } finally {
    await model.close();
  }
}
