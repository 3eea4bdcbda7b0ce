import { describe, expect, it } from 'vitest';
import {
  displayCommand,
  formatBytes,
  countOf,
  formatCount,
  formatDateTime,
  formatExactBytes,
  formatMode,
  formatOctalMode,
  formatPercent,
  formatRelativeTime,
  shortDigest,
} from './format';

describe('formatBytes', () => {
  it('uses decimal units like docker', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(1234)).toBe('1.2 kB');
    expect(formatBytes(1_200_000)).toBe('1.2 MB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(4_700_000_000)).toBe('4.7 GB');
  });

  it('steps up instead of showing 1000 of a unit', () => {
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(99_960)).toBe('100 kB');
  });

  it('handles negatives and non-numbers', () => {
    expect(formatBytes(-1_500_000)).toBe('-1.5 MB');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('counts and percentages', () => {
  it('separates thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatExactBytes(1)).toBe('1 byte');
    expect(formatExactBytes(1234)).toBe('1,234 bytes');
  });

  it('names one of a thing in the singular', () => {
    expect(countOf(1, 'row')).toBe('1 row');
    expect(countOf(0, 'row')).toBe('0 rows');
    expect(countOf(12345, 'row')).toBe('12,345 rows');
    expect(countOf(2, 'entry', 'entries')).toBe('2 entries');
  });

  it('shows at most one decimal', () => {
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.9734)).toBe('97.3%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0001)).toBe('<0.1%');
    expect(formatPercent(0.0006)).toBe('0.1%');
    expect(formatPercent(0.99994)).toBe('>99.9%');
    expect(formatPercent(0.9994)).toBe('99.9%');
  });
});

describe('shortDigest', () => {
  it('drops the algorithm and keeps 12 characters', () => {
    expect(shortDigest('sha256:abcd1234ef567890abcdef')).toBe('abcd1234ef56');
    expect(shortDigest('abcd1234ef567890')).toBe('abcd1234ef56');
  });
});

describe('dates', () => {
  const now = Date.parse('2024-06-15T12:00:00Z');

  it('says how long ago', () => {
    expect(formatRelativeTime('2024-06-15T11:59:50Z', now)).toBe('just now');
    expect(formatRelativeTime('2024-06-15T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelativeTime('2024-06-15T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelativeTime('2024-06-14T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelativeTime('2024-06-05T12:00:00Z', now)).toBe('10 days ago');
    expect(formatRelativeTime('2024-03-15T12:00:00Z', now)).toBe('3 months ago');
    expect(formatRelativeTime('2021-06-15T12:00:00Z', now)).toBe('3 years ago');
    expect(formatRelativeTime('2024-06-17T12:00:00Z', now)).toBe('in 2 days');
  });

  it('says unknown for missing or invalid dates', () => {
    expect(formatRelativeTime(null, now)).toBe('unknown');
    expect(formatRelativeTime('not a date', now)).toBe('unknown');
    expect(formatDateTime(undefined)).toBe('unknown');
  });

  it('formats an absolute date and time', () => {
    expect(formatDateTime('2024-03-05T14:22:09Z', { timeZone: 'UTC' })).toBe('5 Mar 2024, 14:22');
  });

  it('makes a date formatter once for each locale and zone', () => {
    const original = Intl.DateTimeFormat;
    let made = 0;
    Intl.DateTimeFormat = class extends original {
      constructor(...args: ConstructorParameters<typeof original>) {
        super(...args);
        made++;
      }
    } as typeof Intl.DateTimeFormat;
    try {
      for (let day = 1; day <= 9; day++) formatDateTime(`2024-03-0${day}T09:05:00Z`);
      expect(formatDateTime('2024-03-05T14:22:09Z', { timeZone: 'Asia/Tokyo' })).toBe(
        '5 Mar 2024, 23:22',
      );
      expect(formatDateTime('2024-03-05T14:22:09Z', { timeZone: 'Asia/Tokyo' })).toBe(
        '5 Mar 2024, 23:22',
      );
      expect(made).toBeLessThanOrEqual(2);
    } finally {
      Intl.DateTimeFormat = original;
    }
  });
});

describe('displayCommand', () => {
  it('strips the classic builder no-op prefix', () => {
    expect(displayCommand('/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin')).toEqual({
      instruction: 'ENV',
      body: 'PATH=/usr/local/bin:/usr/bin',
    });
    expect(displayCommand('/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]')).toEqual({
      instruction: 'CMD',
      body: '["nginx" "-g" "daemon off;"]',
    });
    expect(displayCommand('/bin/sh -c #(nop) ADD file:9a4f77 in / ')).toEqual({
      instruction: 'ADD',
      body: 'file:9a4f77 in /',
    });
  });

  it('shows a shell step as RUN', () => {
    expect(displayCommand('/bin/sh -c apk add --no-cache curl')).toEqual({
      instruction: 'RUN',
      body: 'apk add --no-cache curl',
    });
    expect(displayCommand('|2 VERSION=1.2 DEBUG= /bin/sh -c make install')).toEqual({
      instruction: 'RUN',
      body: 'make install',
    });
  });

  it('reads BuildKit history', () => {
    expect(displayCommand('RUN /bin/sh -c npm ci # buildkit')).toEqual({
      instruction: 'RUN',
      body: 'npm ci',
    });
    expect(displayCommand('COPY . /app # buildkit')).toEqual({
      instruction: 'COPY',
      body: '. /app',
    });
    expect(displayCommand('WORKDIR /app')).toEqual({ instruction: 'WORKDIR', body: '/app' });
  });

  it('leaves anything else as it is', () => {
    expect(displayCommand('created by hand')).toEqual({
      instruction: null,
      body: 'created by hand',
    });
    expect(displayCommand('')).toEqual({ instruction: null, body: '' });
  });
});

describe('formatMode', () => {
  it('writes modes as ls -l does, special bits included', () => {
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('file', 0o644)).toBe('-rw-r--r--');
    expect(formatMode('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(formatMode('file', 0o2755)).toBe('-rwxr-sr-x');
    expect(formatMode('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(formatMode('file', 0o4644)).toBe('-rwSr--r--');
    expect(formatMode('dir', 0o1770)).toBe('drwxrwx--T');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
    expect(formatMode('fifo', 0o644)).toBe('prw-r--r--');
    expect(formatMode('char', 0o666)).toBe('crw-rw-rw-');
    expect(formatMode('hardlink', 0o644)).toBe('-rw-r--r--');
    expect(formatOctalMode(0o4755)).toBe('4755');
    expect(formatOctalMode(0o644)).toBe('0644');
  });
});
