// The CLI's output through real pipes: a reader slower than the writer gets every byte, a
// reader that stops early ends the output quietly (`ls`, which writes one text, and `cat`, which
// streams a file's bytes).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePaths } from '../../e2e/fixtures';
import { manyEntriesArchive } from '../core/testing/many-entries';
import { table } from './format';
import { writeJsonArray, writeTable } from './write-out';

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the built CLI; `read` decides how its stdout pipe is drained. */
function strata(
  args: string[],
  read: (out: NodeJS.ReadableStream, collect: (chunk: Buffer) => void) => void,
  nodeFlags: string[] = [],
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, 'bin/strata.js', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    read(child.stdout, (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

const drainAll = (out: NodeJS.ReadableStream, collect: (chunk: Buffer) => void): void => {
  out.on('data', collect);
};

describe('CLI output through a pipe', () => {
  let dir: string;
  let archive: string;
  let whole: Run;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-write-out-'));
    archive = join(dir, 'many.tar');
    // About 2 MB of JSON: many times what a pipe holds.
    manyEntriesArchive(archive, 20_000);
    whole = await strata(['ls', archive, '--json'], drainAll);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a fast reader the whole listing', () => {
    expect(whole.code).toBe(0);
    expect(whole.stderr).toBe('');
    const listed = JSON.parse(whole.stdout.toString('utf8')) as { path: string }[];
    expect(listed).toHaveLength(20_000 + 20); // the files and their 20 directories
    expect(whole.stdout.at(-1)).toBe(0x0a);
  });

  const pausing = (out: NodeJS.ReadableStream, collect: (chunk: Buffer) => void): void => {
    out.on('data', (chunk: Buffer) => {
      collect(chunk);
      out.pause();
      setTimeout(() => out.resume(), 5);
    });
  };

  it('waits for a reader that pauses, and loses nothing', async () => {
    const slow = await strata(['ls', archive, '--json'], pausing);
    expect(slow.code).toBe(0);
    expect(slow.stderr).toBe('');
    expect(slow.stdout.equals(whole.stdout)).toBe(true);
  });

  it('waits on a non-blocking pipe too (one a stream opened on stdout made so)', async () => {
    // Node's stdout stream sets its pipe non-blocking: writes then meet EAGAIN when it is full.
    const slow = await strata(['ls', archive, '--json'], pausing, [
      '--import',
      'data:text/javascript,process.stdout',
    ]);
    expect(slow.code).toBe(0);
    expect(slow.stderr).toBe('');
    expect(slow.stdout.equals(whole.stdout)).toBe(true);
  });

  it('stops quietly when the reader closes early', async () => {
    const closeEarly = (out: NodeJS.ReadableStream, collect: (chunk: Buffer) => void): void => {
      out.once('data', (chunk: Buffer) => {
        collect(chunk);
        (out as NodeJS.ReadableStream & { destroy(): void }).destroy();
      });
    };
    const ls = await strata(['ls', archive, '--json'], closeEarly);
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout.length).toBeGreaterThan(0);
    expect(ls.stdout.length).toBeLessThan(whole.stdout.length);
    // `cat` streams a file's bytes (busybox, about 2 MB) rather than one text.
    const edge = fixturePaths().fixtures.edge.archive;
    const cat = await strata(['cat', edge, '/bin/busybox'], closeEarly);
    expect(cat.stderr).toBe('');
    expect(cat.code).toBe(0);
  });
});

describe('writeJsonArray', () => {
  it('writes what JSON.stringify makes of the array, piece by piece', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-json-array-'));
    try {
      const item = (i: number) => ({
        path: `/p/${'x'.repeat(i % 7)}${i}`,
        n: i,
        s: null,
        u: 'é😀',
      });
      for (const count of [0, 1, 255, 256, 257, 513, 2000]) {
        const items = Array.from({ length: count }, (_, i) => item(i));
        const file = join(dir, `${count}.json`);
        const fd = openSync(file, 'w');
        writeJsonArray(items, fd);
        closeSync(fd);
        expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(items));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writeTable', () => {
  it('writes what table makes of the rows, piece by piece', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-table-'));
    try {
      const row = (i: number) => ['+', 'x'.repeat(i % 5), String(i * 37), `/p/é😀/${i}`];
      for (const count of [0, 1, 255, 256, 257, 1000]) {
        const rows = Array.from({ length: count }, (_, i) => row(i));
        const file = join(dir, `${count}.txt`);
        const fd = openSync(file, 'w');
        writeTable(count, row, [2], fd);
        closeSync(fd);
        expect(readFileSync(file, 'utf8')).toBe(table(rows, [2]));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
