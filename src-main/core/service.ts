// The one facade every front door (Electron IPC, the browser mode, the CLI) calls. It holds the
// open images by handle and answers page-sized questions about them.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { OpenedImage } from '../api/model';
import type { StrataEvent } from '../api/contract';
import { StrataError } from './errors';
import { summarize } from './inspect';
import { loadImage, type ImageModel } from './image/load-image';
import type { ImageChoice } from './archive/resolve-image';
import { LayerIndexCache } from './layer/index-cache';
import { demoArchivePath } from './demo/demo-archive';

export interface StrataServiceEvents {
  event: [StrataEvent];
}

interface OpenImage {
  opened: OpenedImage;
  model: ImageModel;
}

export class StrataService extends EventEmitter<StrataServiceEvents> {
  private readonly images = new Map<string, OpenImage>();
  /** Shared by every image this service opens: a layer two images share is read once. */
  readonly layerCache = new LayerIndexCache();

  /** Opens the archive at `path`; `label` is what the UI shows as its source (default: the file name). */
  async open(path: string, label = basename(path), choice: ImageChoice = {}): Promise<OpenedImage> {
    const model = await loadImage(path, {
      ...choice,
      cache: this.layerCache,
      onProgress: (phase, done, total) =>
        this.emit('event', { type: 'progress', source: label, phase, done, total }),
    });
    const opened: OpenedImage = { handle: randomUUID(), source: label, inspect: summarize(model) };
    this.images.set(opened.handle, { opened, model });
    return opened;
  }

  async openDemo(): Promise<OpenedImage> {
    return this.open(await demoArchivePath(), 'demo');
  }

  list(): OpenedImage[] {
    return [...this.images.values()].map((image) => image.opened);
  }

  get(handle: string): OpenedImage {
    return this.lookup(handle).opened;
  }

  /** The image model behind a handle, for the page-sized queries. */
  model(handle: string): ImageModel {
    return this.lookup(handle).model;
  }

  async close(handle: string): Promise<void> {
    const image = this.images.get(handle);
    if (!image) return;
    this.images.delete(handle);
    await image.model.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.images.keys()].map((handle) => this.close(handle)));
  }

  private lookup(handle: string): OpenImage {
    const image = this.images.get(handle);
    if (!image) throw new StrataError('not-found', `No open image has the handle ${handle}.`);
    return image;
  }
}
