// Display formatting for the UI: sizes, counts, dates, digests and build commands.
// Pure functions, no DOM; tested in format.test.ts.

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Bytes in decimal units, as `docker images` shows them: `999 B`, `1.2 MB`, `12.3 MB`, `123 MB`.
 * One decimal below 100 of a unit, none above.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1000) return `${sign}${Math.round(value)} B`;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  let text = value < 99.95 ? value.toFixed(1) : Math.round(value).toString();
  // 999.96 kB rounds to "1000 kB": step up to the next unit instead.
  if (Number(text) >= 1000 && unit < BYTE_UNITS.length - 1) {
    unit += 1;
    text = (value / 1000).toFixed(1);
  }
  return `${sign}${text} ${BYTE_UNITS[unit]}`;
}

const countFormat = new Intl.NumberFormat('en-US');

/** A count with thousands separators: `12,345`. */
export function formatCount(count: number): string {
  return countFormat.format(count);
}

/** A count and its noun, singular for one: `1 row`, `12,345 rows`. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : plural}`;
}

/** Exact bytes for tooltips: `1,234,567 bytes`. */
export function formatExactBytes(bytes: number): string {
  return `${formatCount(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

/**
 * A ratio (0..1) as a percentage with at most one decimal: `0.9734` -> `97.3%`, `1` -> `100%`.
 * A share too small to show is `<0.1%`, never a misleading `0%`.
 */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  if (ratio > 0 && ratio < 0.0005) return '<0.1%';
  // An image that wastes a few bytes is not 100% efficient: say how close it is instead.
  if (ratio < 1 && ratio >= 0.9995) return '>99.9%';
  const percent = Math.round(ratio * 1000) / 10;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** `sha256:abcd1234ef567890…` -> `abcd1234ef56` (the 12 characters `docker images` shows). */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(colon + 1, colon + 1 + 12);
}

function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `3 days ago`, `last month`, `in 2 hours`; `unknown` for a missing or invalid date. */
export function formatRelativeTime(
  iso: string | null | undefined,
  now: number = Date.now(),
): string {
  const date = parseDate(iso);
  if (!date) return 'unknown';
  const seconds = (date.getTime() - now) / 1000;
  if (Math.abs(seconds) < 45) return 'just now';
  let value = seconds;
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return relativeFormat.format(Math.round(value), unit);
    // Months are ~30.44 days; use the mean so that a year is 12 months, not 12.17.
    value /= unit === 'day' ? 30.4375 : size;
  }
  return relativeFormat.format(Math.round(value), 'year');
}

export interface DateTimeOptions {
  /** IANA zone; the machine's own by default. */
  timeZone?: string;
  locale?: string;
}

/** An absolute date and time: `5 Mar 2024, 14:22`; `unknown` for a missing or invalid date. */
export function formatDateTime(
  iso: string | null | undefined,
  { timeZone, locale = 'en-GB' }: DateTimeOptions = {},
): string {
  const date = parseDate(iso);
  if (!date) return 'unknown';
  const key = `${locale} ${timeZone ?? ''}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    dateTimeFormats.set(key, format);
  }
  return format.format(date);
}

/**
 * formatDateTime's formatters, by locale and zone: making one costs about 0.4 ms in Chromium on a
 * small machine (the first in a page tens of ms), using it a few microseconds; a list of engine
 * images formats a date a row.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** A history command split for display: the Dockerfile instruction and what follows it. */
export interface DisplayCommand {
  /** `RUN`, `COPY`, `ENV`, ...; null when the text names no instruction. */
  instruction: string | null;
  /** The rest, without shell wrappers and BuildKit's trailing `# buildkit`. */
  body: string;
}

const NOP_PREFIX = /^\/bin\/sh -c #\(nop\)\s*/;
const SHELL_PREFIX = /^\/bin\/sh -c\s+/;
/** The classic builder prefixes RUN steps that saw build args with `|N A=1 B=2 `. */
const BUILD_ARGS_PREFIX = /^\|\d+\s+(?:\S+=\S*\s+)*?(?=\/bin\/sh -c)/;
const INSTRUCTION = /^([A-Z]+)(?:\s+|$)/;
const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);
const BUILDKIT_SUFFIX = /\s*# buildkit$/;

/**
 * Splits a history command for display: `/bin/sh -c #(nop)  ENV A=1` -> ENV `A=1`,
 * `/bin/sh -c apk add curl` -> RUN `apk add curl`, `RUN /bin/sh -c make # buildkit` -> RUN `make`.
 * Display only: the raw text is what gets copied.
 */
export function displayCommand(raw: string): DisplayCommand {
  let text = raw.trim().replace(BUILDKIT_SUFFIX, '');
  text = text.replace(BUILD_ARGS_PREFIX, '');
  if (NOP_PREFIX.test(text)) {
    text = text.replace(NOP_PREFIX, '');
  } else if (SHELL_PREFIX.test(text)) {
    return { instruction: 'RUN', body: text.replace(SHELL_PREFIX, '').trim() };
  }
  const match = INSTRUCTION.exec(text);
  const word = match?.[1];
  if (match && word && KNOWN_INSTRUCTIONS.has(word)) {
    let body = text.slice(match[0].length).trim();
    // BuildKit writes `RUN /bin/sh -c make`: the shell wrapper says nothing the badge does not.
    if (word === 'RUN') body = body.replace(SHELL_PREFIX, '');
    return { instruction: word, body };
  }
  return { instruction: null, body: text };
}

const TYPE_LETTERS: Record<string, string> = {
  dir: 'd',
  symlink: 'l',
  char: 'c',
  block: 'b',
  fifo: 'p',
};

/**
 * A mode as `ls -l` writes it: `drwxr-xr-x`, `-rwsr-xr-x` (setuid), `drwxrwxrwt` (sticky); an
 * upper-case S or T when the special bit is set without the execute bit under it.
 */
export function formatMode(type: string, mode: number): string {
  const bit = (mask: number, letter: string) => (mode & mask ? letter : '-');
  const special = (exec: number, flag: number, set: string) =>
    mode & flag ? (mode & exec ? set : set.toUpperCase()) : bit(exec, 'x');
  return (
    (TYPE_LETTERS[type] ?? '-') +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't')
  );
}

/** The mode's permission bits in octal: `0755`, `4755`. */
export function formatOctalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
