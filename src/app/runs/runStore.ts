/**
 * Runs you keep, in IndexedDB: metrics in 'runs', trained weights in
 * 'weights' under the run's id. Every failure becomes a sentence for the
 * learner; training never depends on this store working.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { cleanRunName, validateRunRecord, type RunRecord, type RunWeights } from './runRecord';

export type { RunWeights };

export const RUNS_DB_NAME = 'lenet-runs';
export const RUNS_DB_VERSION = 2;
/** Weights are the bulk of a run; metrics are small and are always kept. */
export const WEIGHTS_BUDGET_BYTES = 50 * 1024 * 1024;

export interface RunStore {
  /** Newest first; records that fail validation are counted in `skipped`, not returned. */
  list(): Promise<{ runs: RunRecord[]; skipped: number }>;
  /**
   * Keeps the run; `record.hasWeights` is set here from what was kept. Only the
   * newest runs within WEIGHTS_BUDGET_BYTES keep weights: older ones lose them,
   * never their metrics. Rejects with a sentence for the learner; a failed save
   * changes nothing.
   */
  save(record: RunRecord, weights: RunWeights | null): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
  weights(id: string): Promise<RunWeights | null>;
  close(): void;
}

export interface RunStoreOptions {
  /** The database, and the BroadcastChannel tabs share; 'lenet-runs' unless a test keeps its own. */
  name?: string;
  /** Another tab changed the runs: read the list again. Not called for this store's own changes. */
  onChange?: () => void;
  /** The store stopped working (a newer page in another tab, or the browser closed it); the sentence says what to do. */
  onClose?: (problem: string) => void;
}

interface RunsSchema extends DBSchema {
  // Values are unknown on purpose: whatever comes back is validated before use.
  runs: { key: string; value: unknown };
  weights: { key: string; value: unknown };
}

type Db = IDBPDatabase<RunsSchema>;
type WriteTx = IDBPTransaction<RunsSchema, ('runs' | 'weights')[], 'readwrite'>;

const NOT_AVAILABLE = 'Runs cannot be kept in this browser (IndexedDB is not available); training works as usual.';
const BLOCKED =
  'Runs cannot be kept while another tab has an older version of this playground open: close that tab and reload this page. Training works as usual.';
const NEWER =
  'Runs were kept by a newer version of this playground: reload this page to see them. Training works as usual.';
const REPLACED = 'A newer version of this playground opened in another tab: reload this page to keep runs again.';
const LOST = 'The browser closed the store of runs: reload this page to keep runs again.';
const CLOSED = 'The store of runs is closed.';
const FULL = 'The browser\'s storage is full: this run was not kept. Delete some runs to make room.';

const errorName = (error: unknown) => (error instanceof Error || error instanceof DOMException ? error.name : '');

function openProblem(error: unknown): string {
  if (errorName(error) === 'VersionError') return NEWER;
  const reason = error instanceof Error || error instanceof DOMException ? `: ${error.message}` : '';
  return `Runs cannot be kept in this browser (its database did not open${reason}); training works as usual.`;
}

function hasIndexedDB(): boolean {
  try {
    return typeof indexedDB !== 'undefined' && indexedDB !== null;
  } catch {
    // Some sandboxed frames throw on merely reading it.
    return false;
  }
}

function isQuotaError(error: unknown): boolean {
  const name = errorName(error);
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    (error instanceof DOMException && error.code === 22);
}

function weightsFrom(value: unknown): RunWeights | null {
  if (typeof value !== 'object' || value === null) return null;
  const { modelJson, weights } = value as Partial<RunWeights>;
  return typeof modelJson === 'string' && weights instanceof ArrayBuffer ? { modelJson, weights } : null;
}

/** What the weights cost against the budget: strings are stored as UTF-16. */
const weightsBytes = (weights: RunWeights) => weights.weights.byteLength + weights.modelJson.length * 2;

const newestFirst = (a: RunRecord, b: RunRecord) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Version 1 kept the weights inside each run; version 2 moves them to their
 * own store so that listing runs does not read megabytes of weights.
 */
async function upgrade(db: Db, oldVersion: number, tx: IDBPTransaction<RunsSchema, ('runs' | 'weights')[], 'versionchange'>) {
  if (oldVersion < 1) db.createObjectStore('runs', { keyPath: 'id' });
  if (oldVersion < 2) {
    db.createObjectStore('weights');
    let cursor = await tx.objectStore('runs').openCursor();
    while (cursor) {
      const value = cursor.value;
      // Anything unreadable stays as it was: list() skips and counts it.
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const { weights: inline, ...run } = value as Record<string, unknown>;
        const weights = weightsFrom(inline);
        if (weights) await tx.objectStore('weights').put(weights, cursor.key);
        await cursor.update({ ...run, hasWeights: weights !== null });
      }
      cursor = await cursor.continue();
    }
  }
}

export async function openRunStore(options: RunStoreOptions = {}): Promise<{ store: RunStore } | { problem: string }> {
  const name = options.name ?? RUNS_DB_NAME;
  if (!hasIndexedDB()) return { problem: NOT_AVAILABLE };

  // The callbacks below are registered before the store exists.
  const events: { shutDown?: (reason: string) => void; blocked?: () => void } = {};
  const blocked = new Promise<'blocked'>((resolve) => { events.blocked = () => resolve('blocked'); });
  let db: Db;
  try {
    const opening = openDB<RunsSchema>(name, RUNS_DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, tx) {
        upgrade(database, oldVersion, tx).catch(() => {
          // The open then fails with AbortError, and the learner gets a sentence.
          try { tx.abort(); } catch { /* already finished */ }
        });
      },
      blocked: () => events.blocked?.(),
      // Another tab wants a newer version: step aside, or it waits for this tab forever.
      blocking: () => events.shutDown?.(REPLACED),
      terminated: () => events.shutDown?.(LOST),
    });
    const first = await Promise.race([opening, blocked]);
    if (first === 'blocked') {
      // The request still completes once the other tab lets go; nobody will use that connection.
      opening.then((late) => late.close(), () => {});
      return { problem: BLOCKED };
    }
    db = first;
  } catch (error) {
    return { problem: openProblem(error) };
  }
  const { store, shutDown } = makeStore(db, name, options);
  events.shutDown = shutDown;
  return { store };
}

function makeStore(db: Db, name: string, options: RunStoreOptions) {
  let problem: string | null = null;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
  if (channel) channel.onmessage = () => { if (problem === null) options.onChange?.(); };

  function shutDown(reason: string) {
    if (problem !== null) return;
    problem = reason;
    db.close();
    channel?.close();
    if (reason !== CLOSED) options.onClose?.(reason);
  }

  function ready(): Db {
    if (problem !== null) throw new Error(problem);
    return db;
  }

  function changed() {
    try { channel?.postMessage('changed'); } catch { /* closed in between: nobody to tell */ }
  }

  /** One atomic write: if work fails, the transaction is aborted and nothing it did is kept. */
  async function write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
    const tx = ready().transaction(['runs', 'weights'], 'readwrite');
    const done = tx.done;
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      try { tx.abort(); } catch { /* already aborted by the failed request */ }
      await done.catch(() => {});
      throw error;
    }
    await done;
    changed();
    return result;
  }

  /** Newest runs keep their weights while they fit the budget; the rest lose them. */
  async function keepWithinBudget(tx: WriteTx) {
    const runs: RunRecord[] = [];
    for (const value of await tx.objectStore('runs').getAll()) {
      const checked = validateRunRecord(value);
      if ('record' in checked && checked.record.hasWeights) runs.push(checked.record);
    }
    runs.sort(newestFirst);
    let used = 0;
    for (const run of runs) {
      const weights = weightsFrom(await tx.objectStore('weights').get(run.id));
      if (weights && used + weightsBytes(weights) <= WEIGHTS_BUDGET_BYTES) {
        used += weightsBytes(weights);
        continue;
      }
      await tx.objectStore('weights').delete(run.id);
      await tx.objectStore('runs').put({ ...run, hasWeights: false });
    }
  }

  const store: RunStore = {
    async list() {
      const values = await ready().getAll('runs');
      const runs: RunRecord[] = [];
      for (const value of values) {
        const checked = validateRunRecord(value);
        if ('record' in checked) runs.push(checked.record);
      }
      return { runs: runs.sort(newestFirst), skipped: values.length - runs.length };
    },

    async save(record, weights) {
      const checked = validateRunRecord(record);
      if ('problem' in checked) throw new Error(`This run was not kept: ${checked.problem}.`);
      const given = weights && weightsFrom(weights);
      // Weights larger than the whole budget would only push out every other run's.
      const kept = given && weightsBytes(given) <= WEIGHTS_BUDGET_BYTES ? given : null;
      try {
        await write(async (tx) => {
          await tx.objectStore('runs').put({ ...checked.record, hasWeights: kept !== null });
          if (kept) await tx.objectStore('weights').put(kept, checked.record.id);
          else await tx.objectStore('weights').delete(checked.record.id);
          await keepWithinBudget(tx);
        });
      } catch (error) {
        if (problem !== null) throw new Error(problem, { cause: error });
        if (isQuotaError(error)) throw new Error(FULL, { cause: error });
        const reason = error instanceof Error || error instanceof DOMException ? ` (${error.message})` : '';
        throw new Error(`The browser could not keep this run${reason}. Runs kept before are unchanged.`, { cause: error });
      }
    },

    async rename(id, newName) {
      const name = cleanRunName(newName);
      if (name === '') throw new Error('A run\'s name needs at least one visible character.');
      await write(async (tx) => {
        const checked = validateRunRecord(await tx.objectStore('runs').get(id));
        if ('problem' in checked) throw new Error('This run is no longer kept (it may have been deleted in another tab).');
        await tx.objectStore('runs').put({ ...checked.record, name });
      });
    },

    async remove(id) {
      await write(async (tx) => {
        await tx.objectStore('runs').delete(id);
        await tx.objectStore('weights').delete(id);
      });
    },

    async clear() {
      await write(async (tx) => {
        await tx.objectStore('runs').clear();
        await tx.objectStore('weights').clear();
      });
    },

    async weights(id) {
      return weightsFrom(await ready().get('weights', id));
    },

    close() {
      shutDown(CLOSED);
    },
  };
  return { store, shutDown };
}
