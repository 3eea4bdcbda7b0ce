// `strata`: the headless front door. One subcommand per verb, parsed with node:util parseArgs.
import { describeError, StrataError } from '../core/errors';
import { defaultIndexDir, useIndexStore } from '../core/layer/index-store';
import { useLayerWorkers } from '../core/layer/layer-workers';
import { version } from '../../package.json';
import { writeOut } from './write-out';

/** Each command's lines of the help, by command. */
const COMMAND_USAGE: Record<string, string> = {
  inspect: `  inspect SOURCE [--json] [--html FILE]
                                 the image's config, layers, history, efficiency and
                                 findings; --html writes a self-contained report
`,
  ls: `  ls SOURCE [--layer N] [--changes] [--json]
                                 the file system as of layer N (default: the last),
                                 with what that layer changed; --changes: only that
`,
  cat: `  cat SOURCE PATH [--layer N]    a file's bytes, as of layer N
`,
  diff: `  diff A B [--json]              what changed from image A to image B: shared layers,
                                 files, config, size
`,
  ci: `  ci SOURCE [--min-efficiency X] [--max-wasted-bytes N] [--max-user-wasted-percent X]
     [--config .strata-ci.yaml|.dive-ci] [--junit FILE] [--json]
                                 one line per rule; exit 1 when a rule fails
`,
  web: `  web [--port N] [SOURCE...]     serve the UI on 127.0.0.1 and print its URL
`,
};

const SOURCES = `SOURCE is a docker save / podman save / OCI archive (.tar, .tar.gz), an OCI layout directory,
docker://REF (an image in the engine at DOCKER_HOST, the docker context or the default socket)
or podman://REF (CONTAINER_HOST or Podman's socket). Engine exports are cached in
$XDG_CACHE_HOME/strata (STRATA_CACHE_DIR, STRATA_CACHE_MAX_BYTES change where and how much).
`;

const SOURCE_OPTIONS_USAGE = `  --image REF                    pick one image from a multi-image archive
  --platform OS/ARCH             pick one platform from a multi-platform index
`;

const USAGE = `Usage: strata <command> SOURCE [options]

Commands:
${Object.values(COMMAND_USAGE).join('')}
${SOURCES}Options:
${SOURCE_OPTIONS_USAGE}  --json                         machine-readable output (stable, see DESIGN.md)
  -h, --help                     this help (strata <command> --help: that command's)
  -V, --version                  Strata's version
`;

/** `strata <command> --help`: the command's lines, what SOURCE may be, and the options of a source. */
function commandUsage(command: string): string {
  const options = command === 'web' ? '' : `Options of a SOURCE:\n${SOURCE_OPTIONS_USAGE}`;
  return `Usage:\n${COMMAND_USAGE[command]}\n${SOURCES}${options}`;
}

/** Whether the command's arguments ask for its help (not after `--`, which ends the options). */
function asksHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '-h' || arg === '--help');
}

// Each command loads its own modules, so a quick command does not pay for the web server's.
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  inspect: async (args) => (await import('./inspect-command')).runInspect(args),
  ls: async (args) => (await import('./ls-command')).runLs(args),
  cat: async (args) => (await import('./cat-command')).runCat(args),
  diff: async (args) => (await import('./diff-command')).runDiff(args),
  ci: async (args) => (await import('./ci-command')).runCi(args),
  web: async (args) => (await import('./web-command')).runWeb(args),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' && rest[0] && COMMAND_USAGE[rest[0]]) {
    writeOut(commandUsage(rest[0]));
    return 0;
  }
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    writeOut(USAGE);
    return command ? 0 : 2;
  }
  if (command === '-V' || command === '--version' || command === 'version') {
    writeOut(`strata ${version}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run)
    throw new StrataError('bad-request', `unknown command "${command}" (try: strata --help)`);
  if (asksHelp(rest)) {
    writeOut(commandUsage(command));
    return 0;
  }
  return run(rest);
}

useIndexStore(defaultIndexDir());
// Built beside this entry point (electron.vite.config.ts).
useLayerWorkers({
  script: new URL('./layer-worker.js', import.meta.url),
  onUnavailable: (reason) =>
    process.stderr.write(`strata: ${reason}; layers are read on the main thread, more slowly\n`),
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { message } = describeError(err);
    process.stderr.write(`strata: ${message}\n`);
    if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 2;
  },
);
