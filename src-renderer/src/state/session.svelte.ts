// The app's session: which images are open, which one is shown, what is being opened right now
// and the error to show. One instance, created by App and handed down through context.
import { createContext } from 'svelte';
import type { IndexedLayerInfo, OpenedImage, OpeningPreview } from '../../../src-main/api/model';
import type { ProgressEvent, StrataEvent } from '../../../src-main/api/contract';
import { ApiError, type StrataApi } from '../api/strata-api';
import { Comparison } from './comparison.svelte';
import { noteEngineOpenEvent, type EngineOpening } from './engine-opening';

/** An error as the banner shows it. */
export interface Problem {
  code: string;
  message: string;
}

/** An open in flight: what the user asked for and the last progress the service reported. */
export interface OpeningTask {
  label: string;
  /** What is happening before the service reports progress (an upload, say). */
  waiting: string;
  progress: ProgressEvent | null;
  /** The image as its archive's manifest and config give it, once the service has read them. */
  preview: OpeningPreview | null;
  /** Layers read and stacked so far, by layer index. */
  indexed: Record<number, IndexedLayerInfo>;
  /** Opened without the page asking (a SOURCE on the command line): its end comes as an event. */
  unasked?: boolean;
  /** An image from an engine the page did not ask for, shown in the engine's opening card. */
  engine?: EngineOpening;
}

export class Session {
  readonly api: StrataApi;

  /** Open images, in the order they were opened. */
  images = $state.raw<OpenedImage[]>([]);
  /** The image the Image view shows; null for Home. */
  currentHandle = $state<string | null>(null);
  current = $derived(this.images.find((image) => image.handle === this.currentHandle) ?? null);
  /** True once the images opened at start are known (avoids flashing Home before them). */
  ready = $state(false);
  opening = $state<OpeningTask | null>(null);
  problem = $state<Problem | null>(null);
  /** Sources of the images that opened without the page asking. */
  private readonly openedUnasked: string[] = [];
  /** The two open images being compared (kept while both are open), or null. */
  comparison = $state.raw<Comparison | null>(null);
  /** True while the Compare view is shown instead of Home or an image. */
  comparing = $state(false);

  constructor(api: StrataApi) {
    this.api = api;
  }

  /** Subscribes to progress and loads the images opened at start. Returns the unsubscribe. */
  start(): () => void {
    const unsubscribe = this.api.onEvent((event: StrataEvent) => {
      if (event.type === 'progress') {
        if (this.opening) this.opening.progress = event;
      } else if (event.type === 'open-preview') {
        if (this.opening) this.opening.preview = event.preview;
      } else if (event.type === 'open-layer') {
        const { layerIndex, files, size } = event;
        if (this.opening) this.opening.indexed[layerIndex] = { files, size };
      } else if (event.type === 'open-failed') {
        if (this.isUnasked(event.source)) {
          this.opening = null;
          // Cancelled from its card: nothing went wrong.
          if (event.code !== 'cancelled')
            this.problem = { code: event.code, message: event.message };
        }
      } else if (event.type === 'opened') {
        this.openedUnasked.push(event.image.source);
        if (this.isUnasked(event.image.source)) this.opening = null;
        // Before `ready`, the first listOpen() answer includes it (and decides what to show).
        if (this.ready) this.add(event.image);
      } else if (this.opening?.engine) {
        noteEngineOpenEvent(this.opening.engine, event);
      }
    });
    void this.loadOpenImages();
    void this.loadOpenings();
    return unsubscribe;
  }

  private isUnasked(source: string): boolean {
    return !!this.opening?.unasked && this.opening.label === source;
  }

  /** An image the service is opening unasked is shown opening, as one the page asked for. */
  private async loadOpenings(): Promise<void> {
    try {
      const openings = await this.api.listOpenings();
      const failed = openings.find((opening) => opening.failed)?.failed;
      if (failed && !this.problem) this.problem = { ...failed };
      const first = openings.find((opening) => !opening.failed);
      // Its end may have come first: then it is listed, not opening.
      if (!first || this.opening || this.openedUnasked.includes(first.source)) return;
      const { source, progress, preview, indexed, engine } = first;
      const task = { label: source, waiting: 'Opening…', progress, unasked: true };
      this.opening = engine
        ? {
            ...task,
            preview: null,
            indexed: {},
            engine: { ...engine, preview, indexed, cancelling: false },
          }
        : { ...task, preview, indexed };
    } catch {
      // Not knowing of an open in flight only hides its progress: the image still comes.
    }
  }

  private async loadOpenImages(): Promise<void> {
    try {
      const images = await this.api.listOpen();
      this.images = images;
      // The SOURCE given on the command line: go straight to it.
      if (images.length === 1 && images[0]) this.currentHandle = images[0].handle;
    } catch (error) {
      this.report(error);
    } finally {
      this.ready = true;
    }
  }

  /** Cancels an engine open the page did not ask for; its end comes as an `open-failed` event. */
  async cancelUnasked(): Promise<void> {
    const engine = this.opening?.engine;
    if (!engine || engine.cancelling) return;
    engine.cancelling = true;
    try {
      await this.api.engine.cancelOpen(engine.openId);
    } catch (error) {
      this.report(error);
    }
  }

  get busy(): boolean {
    return this.opening !== null;
  }

  openFile(file: File): Promise<void> {
    // In the browser the file travels to the service first; in Electron it is opened in place.
    const waiting = this.api.transport === 'web' ? 'Uploading…' : 'Starting…';
    return this.run(file.name, () => this.api.openFile(file), waiting);
  }

  /** An archive on the machine the service runs on, opened where it lies. */
  openPath(path: string): Promise<void> {
    return this.run(baseName(path), () => this.api.openPath(path));
  }

  openDemo(): Promise<void> {
    return this.run('the demo image', () => this.api.openDemo());
  }

  /** Electron: the native Open dialog, then the chosen path. Does nothing when cancelled. */
  async chooseAndOpen(): Promise<void> {
    if (this.busy) return;
    let path: string | null;
    try {
      path = await this.api.chooseArchivePath();
    } catch (error) {
      this.report(error);
      return;
    }
    if (path) await this.openPath(path);
  }

  show(handle: string): void {
    this.currentHandle = handle;
    this.comparing = false;
  }

  goHome(): void {
    this.currentHandle = null;
    this.comparing = false;
  }

  /** Compares image A with image B (both open) and shows the comparison. */
  compare(a: string, b: string): void {
    const imageA = this.images.find((image) => image.handle === a);
    const imageB = this.images.find((image) => image.handle === b);
    if (!imageA || !imageB || a === b) return;
    if (!this.comparison?.is(a, b)) {
      this.comparison?.dispose();
      const comparison = new Comparison(this.api, imageA, imageB, (error) => this.report(error));
      this.comparison = comparison;
      void comparison.start();
    }
    this.comparing = true;
  }

  /** B becomes A and A becomes B; the same panel stays in front. */
  swapComparison(): void {
    const before = this.comparison;
    if (!before) return;
    this.compare(before.b.handle, before.a.handle);
    if (this.comparison && this.comparison !== before) {
      this.comparison.panel = before.panel;
      this.comparison.layout = before.layout;
    }
  }

  showComparison(): void {
    if (this.comparison) this.comparing = true;
  }

  closeComparison(): void {
    this.comparison?.dispose();
    this.comparison = null;
    this.comparing = false;
  }

  async close(handle: string): Promise<void> {
    try {
      await this.api.close(handle);
    } catch (error) {
      this.report(error);
      return;
    }
    this.images = this.images.filter((image) => image.handle !== handle);
    if (this.currentHandle === handle) this.currentHandle = null;
    if (this.comparison?.involves(handle)) this.closeComparison();
  }

  dismissProblem(): void {
    this.problem = null;
  }

  report(error: unknown): void {
    if (error instanceof ApiError) this.problem = { code: error.code, message: error.message };
    else if (error instanceof Error) this.problem = { code: 'internal', message: error.message };
    else this.problem = { code: 'internal', message: String(error) };
  }

  /** Lists `image` (once) and shows it. */
  private add(image: OpenedImage): void {
    this.images = [...this.images.filter((open) => open.handle !== image.handle), image];
    this.currentHandle = image.handle;
    this.comparing = false;
  }

  /**
   * Runs one open (at most one at a time): shows `label` as opening, then the image, or the
   * error (a cancel the user asked for is not one).
   */
  async run(
    label: string,
    action: () => Promise<OpenedImage>,
    waiting = 'Starting…',
  ): Promise<void> {
    if (this.busy) return;
    this.opening = { label, waiting, progress: null, preview: null, indexed: {} };
    this.problem = null;
    try {
      this.add(await action());
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'cancelled')) this.report(error);
    } finally {
      this.opening = null;
    }
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

const [getSession, setSession] = createContext<Session>();
export { getSession, setSession };
