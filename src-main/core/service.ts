// The one facade every front door (Electron IPC, the browser mode, the CLI) calls.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { OpenedImage } from '../api/model';
import type { StrataEvent } from '../api/contract';
import { StrataError } from './errors';
import { inspectArchive } from './inspect';
import { demoArchivePath } from './demo/demo-archive';

export interface StrataServiceEvents {
  event: [StrataEvent];
}

export class StrataService extends EventEmitter<StrataServiceEvents> {
  private readonly images = new Map<string, OpenedImage>();

  /** Opens the archive at `path`; `label` is what the UI shows as its source (default: the file name). */
  async open(path: string, label = basename(path)): Promise<OpenedImage> {
    const inspect = await inspectArchive(path, {
      onProgress: (phase, done, total) =>
        this.emit('event', { type: 'progress', source: label, phase, done, total }),
    });
    const opened: OpenedImage = { handle: randomUUID(), source: label, inspect };
    this.images.set(opened.handle, opened);
    return opened;
  }

  async openDemo(): Promise<OpenedImage> {
    return this.open(await demoArchivePath(), 'demo');
  }

  list(): OpenedImage[] {
    return [...this.images.values()];
  }

  get(handle: string): OpenedImage {
    const image = this.images.get(handle);
    if (!image) throw new StrataError('not-found', `No open image has the handle ${handle}.`);
    return image;
  }

  close(handle: string): void {
    this.images.delete(handle);
  }
}
