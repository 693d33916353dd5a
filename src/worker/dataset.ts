/**
 * The datasets in the worker, by name: each built-in one downloaded once over
 * fetch with progress, decoded, checked and kept for every later run and
 * query; the learner's own files as last opened. A failed load is not kept,
 * so the next Train tries again.
 */
import { concatChunks } from '../core/data/bytes';
import { DATASET_INFO, type DatasetName } from '../core/data/datasets';
import { loadDatasetFolder, type Splits } from '../core/data/datasetFolder';
import { DataFileError } from '../core/data/idx';
import { decodeOwnFiles } from '../core/data/ownFiles';
import type { DataProgressEvent, DataReadyEvent, OwnFile, OwnFilesReply, UnavailableReply, WorkerEvent } from './protocol';

/** Progress messages per file at most this often. */
const PROGRESS_INTERVAL_MS = 50;

type DataEvent = DataProgressEvent | DataReadyEvent;

async function download(url: URL, fileName: string, onEvent: (event: DataEvent) => void): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DataFileError(fileName, `could not be downloaded (${error instanceof Error ? error.message : error})`);
  }
  if (!response.ok || !response.body) {
    throw new DataFileError(fileName, `could not be downloaded (HTTP ${response.status} ${response.statusText})`.trim());
  }
  const header = Number(response.headers.get('Content-Length'));
  const totalBytes = Number.isFinite(header) && header > 0 ? header : null;
  const chunks: Uint8Array[] = [];
  let loadedBytes = 0;
  let lastReport = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loadedBytes += value.byteLength;
    if (performance.now() - lastReport > PROGRESS_INTERVAL_MS) {
      lastReport = performance.now();
      onEvent({ type: 'data-progress', file: fileName, loadedBytes, totalBytes });
    }
  }
  onEvent({ type: 'data-progress', file: fileName, loadedBytes, totalBytes });
  return concatChunks(chunks, loadedBytes);
}

const CHOOSE_OWN_FILES = 'Choose your four IDX files first: training images and labels, test images and labels.';

/** Why a dataset's images cannot be shown, for a query that must not start a download. */
export function notHeld(dataset: DatasetName): string {
  return dataset === 'own' ? CHOOSE_OWN_FILES : `${DATASET_INFO[dataset].label} has not loaded yet.`;
}

/** What the user reads when something fails: a broken data file gets advice, anything else its own message. */
export function errorMessage(error: unknown, dataset: DatasetName): string {
  if (error instanceof DataFileError) {
    const { label, folder } = DATASET_INFO[dataset];
    return `${label} could not be loaded. ${error.message}. Press Train to try again; ` +
      `if it keeps failing, the server needs \`npm run data\` (it builds public/data/${folder}/).`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class DatasetStore {
  private rootUrl: URL | null = null;
  /** Built-in datasets being downloaded or held. */
  private readonly loading = new Map<DatasetName, Promise<Splits>>();
  /** The datasets held, for queries that must not wait for (or start) a download. */
  private readonly loaded = new Map<DatasetName, Splits>();
  /** Counts openOwn calls, so files opened later win over slower earlier ones. */
  private ownOpened = 0;

  setRootUrl(url: string): void {
    this.rootUrl = new URL(url);
  }

  /** `dataset`, downloading it on first use; reports progress and a data-ready event. */
  async load(dataset: DatasetName, onEvent: (event: DataEvent) => void): Promise<Splits> {
    const start = performance.now();
    const cached = this.loading.has(dataset) || this.loaded.has(dataset);
    const splits = await (dataset === 'own' ? this.own() : this.download(dataset, onEvent));
    onEvent({
      type: 'data-ready', dataset, trainImages: splits.train.count, testImages: splits.test.count, cached,
      seconds: (performance.now() - start) / 1000,
    });
    return splits;
  }

  /**
   * Loads `dataset` ahead of a run, reporting a failure as an error event:
   * the page shows it, and the run that needs the data tries again. Own files
   * not opened yet are no failure: the page asks for them.
   */
  async preload(dataset: DatasetName, onEvent: (event: WorkerEvent) => void): Promise<void> {
    if (dataset === 'own' && !this.loaded.has('own')) return;
    try {
      await this.load(dataset, onEvent);
    } catch (error) {
      onEvent({ type: 'error', message: errorMessage(error, dataset) });
    }
  }

  /**
   * Decodes and checks the learner's files (their bytes were transferred, not
   * copied) and makes them the own dataset; bad files leave the previous ones.
   * Runs trained on earlier files keep those in their KeptRun.
   */
  async openOwn(files: readonly OwnFile[]): Promise<OwnFilesReply | UnavailableReply> {
    const opened = ++this.ownOpened;
    try {
      const splits = await decodeOwnFiles(files.map(({ name, bytes }) => ({ name, bytes: new Uint8Array(bytes) })));
      if (opened === this.ownOpened) this.loaded.set('own', splits);
      return { type: 'own-files', trainImages: splits.train.count, testImages: splits.test.count };
    } catch (error) {
      return { type: 'unavailable', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** `dataset` if it is held, else null. */
  current(dataset: DatasetName): Splits | null {
    return this.loaded.get(dataset) ?? null;
  }

  private async own(): Promise<Splits> {
    const own = this.loaded.get('own');
    if (!own) throw new Error(CHOOSE_OWN_FILES);
    return own;
  }

  private download(dataset: DatasetName, onEvent: (event: DataEvent) => void): Promise<Splits> {
    const root = this.rootUrl;
    if (!root) throw new Error('prepare() must be called before train()');
    let loading = this.loading.get(dataset);
    if (!loading) {
      const folder = new URL(`${DATASET_INFO[dataset].folder}/`, root);
      loading = loadDatasetFolder((name) => download(new URL(name, folder), name, onEvent));
      this.loading.set(dataset, loading);
      loading.then((splits) => this.loaded.set(dataset, splits), () => this.loading.delete(dataset));
    }
    return loading;
  }
}
