/**
 * The dataset in the worker: downloaded once over fetch with progress,
 * decoded, checked and kept for every later run and query. A failed load is
 * not kept, so the next Train tries again.
 */
import { concatChunks } from '../core/data/bytes';
import { loadFashionMnist, type Splits } from '../core/data/fashionMnist';
import { DataFileError, FASHION_MNIST_FILES } from '../core/data/idx';
import { IMAGE_SIZE } from '../core/model/architecture';
import type { DataProgressEvent, DataReadyEvent } from './protocol';

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

/** LeNet takes 28×28 images: a file of other images is a broken file, said when it loads, not at Train. */
function checkImageSize(splits: Splits): Splits {
  const images = [[splits.train, FASHION_MNIST_FILES.trainImages], [splits.test, FASHION_MNIST_FILES.testImages]] as const;
  for (const [split, name] of images) {
    if (split.rows !== IMAGE_SIZE || split.cols !== IMAGE_SIZE) {
      throw new DataFileError(name, `holds ${split.rows}×${split.cols} images; LeNet needs ${IMAGE_SIZE}×${IMAGE_SIZE}`);
    }
  }
  return splits;
}

/** What the user reads when something fails: a broken data file gets advice, anything else its own message. */
export function errorMessage(error: unknown): string {
  if (error instanceof DataFileError) {
    return `The dataset could not be loaded. ${error.message}. Press Train to try again; ` +
      'if it keeps failing, the server needs `npm run data`.';
  }
  return error instanceof Error ? error.message : String(error);
}

export class DatasetStore {
  private splits: Promise<Splits> | null = null;
  private baseUrl: URL | null = null;
  /** The loaded dataset, for queries that must not wait for (or start) a download. */
  private loaded: Splits | null = null;

  setBaseUrl(url: string): void {
    this.baseUrl = new URL(url);
  }

  /** The dataset, downloading it on first use; reports progress and a data-ready event. */
  async load(onEvent: (event: DataEvent) => void): Promise<Splits> {
    const cached = this.splits !== null;
    const start = performance.now();
    const base = this.baseUrl;
    if (!base) throw new Error('prepare() must be called before train()');
    if (!this.splits) {
      const loading = loadFashionMnist((name) => download(new URL(name, base), name, onEvent)).then(checkImageSize);
      this.splits = loading;
      loading.then((splits) => {
        this.loaded = splits;
      }, () => {
        if (this.splits === loading) this.splits = null;
      });
    }
    const splits = await this.splits;
    onEvent({
      type: 'data-ready', trainImages: splits.train.count, testImages: splits.test.count, cached,
      seconds: (performance.now() - start) / 1000,
    });
    return splits;
  }

  /** The dataset if it has loaded, else null. */
  get current(): Splits | null {
    return this.loaded;
  }
}
