// `node bench/run.js prepare`: builds and caches the benchmark's images without measuring.
import { ensureBenchImages } from './images';
import { ensureSynthetic } from './synthetic';

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const images = await ensureBenchImages(log);
log(`realistic: ${JSON.stringify(images.facts)}`);
for (const target of [10_000, 100_000, 1_000_000]) await ensureSynthetic(target, log);
