// The one interface the UI talks to. Two transports implement it: the Electron preload bridge
// and HTTP/WebSocket for the browser mode (`strata web`).
import type { OpenedImage } from '../../../src-main/api/model';
import type { ErrorInfo, OpeningSnapshot, StrataEvent } from '../../../src-main/api/contract';
import type { CompareApi } from './compare-api';
import type { EngineApi } from './engine-api';
import type { ExplorerApi } from './explorer-api';

export interface StrataApi {
  readonly transport: 'electron' | 'web';
  /** True when `chooseArchivePath` shows a native dialog; otherwise the UI uses a file input. */
  readonly hasNativeDialog: boolean;
  openPath(path: string): Promise<OpenedImage>;
  /** A File from a drop or a file input: Electron opens it by path, the browser uploads it. */
  openFile(file: File): Promise<OpenedImage>;
  openDemo(): Promise<OpenedImage>;
  listOpen(): Promise<OpenedImage[]>;
  /** Archives being opened right now without the page asking (SOURCEs on the command line). */
  listOpenings(): Promise<OpeningSnapshot[]>;
  close(handle: string): Promise<void>;
  chooseArchivePath(): Promise<string | null>;
  onEvent(listener: (event: StrataEvent) => void): () => void;
  /** The Docker and Podman engines: their images, opening one, the export cache. */
  readonly engine: EngineApi;
  /** Inside an open image: file views, entries, file bytes, waste, the size map, Save As. */
  readonly explorer: ExplorerApi;
  /** Two open images compared: the summary, a file view of the differences, both sides of a file. */
  readonly compare: CompareApi;
}

/** Thrown by every StrataApi method when the service answers `{ok:false}`. */
export class ApiError extends Error {
  readonly code: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
  }
}
