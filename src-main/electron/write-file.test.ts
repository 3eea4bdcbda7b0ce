import { mkdtempSync, readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeStreamTo } from './write-file';

describe('writeStreamTo', () => {
  it('writes the bytes under the chosen name, replacing what was there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-save-'));
    const target = join(dir, 'busybox');
    writeFileSync(target, 'old');
    await writeStreamTo(Readable.from([Buffer.from([0, 1]), Buffer.from([2, 255])]), target);
    expect([...readFileSync(target)]).toEqual([0, 1, 2, 255]);
    expect(readdirSync(dir)).toEqual(['busybox']);
  });

  it('leaves nothing behind (and the old file whole) when the read fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-save-'));
    const target = join(dir, 'out.bin');
    writeFileSync(target, 'keep me');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('half'));
        this.destroy(new Error('the layer ended early'));
      },
    });
    await expect(writeStreamTo(failing, target)).rejects.toThrow('the layer ended early');
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['out.bin']);
    expect(existsSync(`${target}.${process.pid}.strata-partial`)).toBe(false);
  });
});
