import { useCallback, useEffect, useReducer, useRef } from 'react';
import * as Comlink from 'comlink';
import type { BackendName, Config } from '../core/config/params';
import type { RunWeights } from './runs/runRecord';
import type { DatasetName } from '../core/data/datasets';
import type { ImportedModelReply, OwnFile, OwnFilesReply, Query, QueryReply, TrainerApi, UnavailableReply, WorkerEvent } from '../worker/protocol';
import { initialRunState, runReducer } from './runState';

interface WorkerHandle {
  worker: Worker;
  api: Comlink.Remote<TrainerApi>;
  /** Set when the page ends this worker on purpose: its death is then no crash. */
  retired: boolean;
  /** Cancels the page's wait for the worker's life lock. */
  unwatch: AbortController;
  /** When the worker last sent anything (for the ping fallback). */
  lastHeard: number;
  /** Whether the Web Lock watch is on; the ping fallback runs only without it. */
  locked: boolean;
  /** Reports this worker dead (once), tells the user why and starts a fresh one. */
  died(why: string): void;
}

/** Each built-in dataset is a folder under it (DATASET_INFO's folder). */
const DATA_ROOT_URL = new URL('data/', document.baseURI).href;
/** Bigger than any 28×28 IDX file a learner would bring (EMNIST ByClass is about 550 MB raw): reading more would only stall the tab. */
const OWN_FILE_MAX_BYTES = 1024 ** 3;
/** Ping fallback (no Web Locks): a run silent this long gets pinged … */
const SILENCE_MS = 10_000;
/** … and a worker that does not answer within this is taken for dead. A CPU step of a huge batch can block it for long. */
const PING_TIMEOUT_MS = 60_000;

const WORKER_GONE = 'The training worker stopped, and the model with it. Press Train to start again.';

function lockName(): string {
  const id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  return `lenet-trainer-${id}`;
}

/**
 * Owns the training worker: starts it, restarts it after a crash, and turns
 * its event stream into RunState. Events are applied at most once per
 * animation frame, so a burst of them costs one render; in a hidden tab they
 * wait and the charts catch up when it is shown again.
 *
 * A worker can die two ways: by throwing (the page gets an 'error' event) or
 * silently (close(), killed by the browser), which no event reports. For the
 * second the worker holds a Web Lock for its whole life and the page queues
 * for it: the lock is granted the moment the worker is gone, at no cost while
 * it lives. Where Web Locks are missing, a run that goes quiet is pinged.
 */
export function useTrainer(backend: BackendName, dataset: DatasetName) {
  const [state, dispatch] = useReducer(runReducer, initialRunState);
  /** The settings' backend and dataset, which a new worker starts and loads before the first Train. */
  const atStart = useRef({ backend, dataset });
  useEffect(() => {
    atStart.current = { backend, dataset };
  }, [backend, dataset]);
  const handle = useRef<WorkerHandle | null>(null);
  /** Events of runs other than the latest are ignored. */
  const runId = useRef(0);
  /** Train presses so far: only the last one's end refreshes the memory readout. */
  const trainCalls = useRef(0);
  const pending = useRef<WorkerEvent[]>([]);
  const frame = useRef<number | null>(null);

  const flush = useCallback(() => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    const events = pending.current;
    pending.current = [];
    if (events.length) dispatch({ type: 'events', events });
  }, []);

  /** Events of a run (id) or of the data load (null, never stale). */
  const listener = useCallback((id: number | null) => Comlink.proxy((event: WorkerEvent) => {
    if (handle.current) handle.current.lastHeard = performance.now();
    if (id !== null && id !== runId.current) return;
    pending.current.push(event);
    frame.current ??= requestAnimationFrame(flush);
  }), [flush]);

  useEffect(() => {
    let unmounted = false;

    const crashed = (dead: WorkerHandle, why: string) => {
      if (unmounted || dead.retired || handle.current !== dead) return;
      retire(dead);
      // What the run sent before it died is kept; later events of it are not.
      flush();
      runId.current++;
      dispatch({ type: 'crashed', message: `The training worker ${why}. Press Train to start again.` });
      handle.current = spawn();
    };

    const retire = (old: WorkerHandle) => {
      old.retired = true;
      old.unwatch.abort();
      old.worker.terminate();
    };

    const watchLife = async (watched: WorkerHandle) => {
      const locks = (navigator as Navigator & { locks?: LockManager }).locks;
      if (!locks) return;
      const name = lockName();
      try {
        if (!(await watched.api.holdLifeLock(name))) return;
        watched.locked = true;
        await locks.request(name, { signal: watched.unwatch.signal }, () => watched.died('stopped unexpectedly'));
      } catch {
        // Aborted: the page retired this worker itself.
      }
    };

    const spawn = (): WorkerHandle => {
      const worker = new Worker(new URL('../worker/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
      const spawned: WorkerHandle = {
        worker, api: Comlink.wrap<TrainerApi>(worker), retired: false, unwatch: new AbortController(),
        lastHeard: performance.now(), locked: false, died: (why) => crashed(spawned, why),
      };
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        crashed(spawned, `crashed (${event.message || 'unknown error'})`);
      });
      void watchLife(spawned);
      // The worker reports a failed load as an 'error' event; Train tries again.
      void spawned.api.prepare(DATA_ROOT_URL, atStart.current.dataset, atStart.current.backend, listener(null));
      return spawned;
    };

    handle.current = spawn();
    return () => {
      unmounted = true;
      if (handle.current) retire(handle.current);
      handle.current = null;
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [listener, flush]);

  // Another dataset chosen: the worker fetches it now, so Train does not wait (it holds each it has loaded).
  const firstDataset = useRef(true);
  useEffect(() => {
    if (firstDataset.current) {
      firstDataset.current = false;
      return;
    }
    void handle.current?.api.loadDataset(dataset, listener(null));
  }, [dataset, listener]);

  const train = useCallback((config: Config) => {
    const current = handle.current;
    if (!current) return;
    const id = ++runId.current;
    const call = ++trainCalls.current;
    pending.current = [];
    dispatch({ type: 'start', runId: id, config, startedAt: Date.now() });
    current.lastHeard = performance.now();

    // Ping fallback, only where the Web Lock watch is off: a silent worker that does not answer is dead.
    let pinging = false;
    const timer = setInterval(() => {
      if (current.locked || current.retired || pinging || performance.now() - current.lastHeard < SILENCE_MS) return;
      pinging = true;
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS));
      void Promise.race([current.api.ping(), timeout]).then((answer) => {
        pinging = false;
        if (answer === 'pong') current.lastHeard = performance.now();
        else current.died('stopped answering');
      });
    }, SILENCE_MS / 2);

    // A crashed worker never answers: its interval ends with it.
    const onRetired = () => clearInterval(timer);
    current.unwatch.signal.addEventListener('abort', onRetired, { once: true });
    void current.api.train(id, config, listener(id)).then(async () => {
      // The worker's memory once this run has cleaned up, unless another run was asked for since.
      if (call !== trainCalls.current || current.retired) return;
      const memory = await current.api.memory();
      if (call === trainCalls.current && !current.retired) dispatch({ type: 'memory', memory });
    }).catch(() => {
      // The readout is a nicety: a worker that cannot say keeps the last one.
    }).finally(() => {
      clearInterval(timer);
      current.unwatch.signal.removeEventListener('abort', onRetired);
    });
  }, [listener]);

  const pause = useCallback(() => {
    void handle.current?.api.pause();
    dispatch({ type: 'paused' });
  }, []);
  const resume = useCallback(() => {
    void handle.current?.api.resume();
    dispatch({ type: 'resumed' });
  }, []);
  const stop = useCallback(() => {
    void handle.current?.api.stop();
    dispatch({ type: 'stop' });
  }, []);
  const reset = useCallback(() => {
    runId.current++;
    pending.current = [];
    void handle.current?.api.stop();
    dispatch({ type: 'reset' });
  }, []);
  const dismissError = useCallback(() => dispatch({ type: 'dismiss-error' }), []);

  /**
   * Asks the worker something whose answer may be "unavailable". Never
   * rejects: a worker that dies or is replaced while it answers yields an
   * 'unavailable' reply (Comlink would otherwise wait forever for a
   * terminated worker).
   */
  const ask = useCallback(<R>(call: (api: Comlink.Remote<TrainerApi>) => Promise<R>): Promise<R | UnavailableReply> => {
    const current = handle.current;
    const gone = (message: string): UnavailableReply => ({ type: 'unavailable', message });
    if (!current || current.retired) return Promise.resolve(gone(WORKER_GONE));
    const { signal } = current.unwatch;
    if (signal.aborted) return Promise.resolve(gone(WORKER_GONE));
    return new Promise<R | UnavailableReply>((resolve) => {
      const onRetired = () => resolve(gone(WORKER_GONE));
      signal.addEventListener('abort', onRetired, { once: true });
      call(current.api)
        .catch((error: unknown) => gone(`The training worker could not answer (${error instanceof Error ? error.message : String(error)}).`))
        .then((reply) => {
          signal.removeEventListener('abort', onRetired);
          resolve(reply);
        });
    });
  }, []);

  /** Asks the worker about a dataset or a run's model. */
  const query = useCallback(<Q extends Query>(question: Q) =>
    ask((api) => api.query(question) as Promise<QueryReply<Q>>) as Promise<QueryReply<Q>>, [ask]);

  /** The latest choice of own files: an older one still being read is dropped, not sent after it. */
  const ownChoice = useRef(0);
  /** The learner's own four files: read here, checked and kept in the worker, never sent anywhere else. */
  const openOwnFiles = useCallback(async (files: File[]) => {
    const choice = ++ownChoice.current;
    const names = files.map((file) => file.name);
    dispatch({ type: 'own-files-checking', names });
    const tooBig = files.find((file) => file.size > OWN_FILE_MAX_BYTES);
    if (tooBig) {
      const message = `${tooBig.name}: ${Math.round(tooBig.size / 1024 ** 2)} MB is more than any set of 28×28 images needs; choose the IDX files.`;
      dispatch({ type: 'own-files-checked', names, reply: { type: 'unavailable', message } });
      return;
    }
    let read: OwnFile[];
    try {
      read = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
    } catch (error) {
      const message = `The files could not be read (${error instanceof Error ? error.message : String(error)}).`;
      if (choice === ownChoice.current) dispatch({ type: 'own-files-checked', names, reply: { type: 'unavailable', message } });
      return;
    }
    if (choice !== ownChoice.current) return;
    const reply = await ask<OwnFilesReply | UnavailableReply>((api) => api.openOwnFiles(Comlink.transfer(read, read.map((file) => file.bytes))));
    if (choice === ownChoice.current) dispatch({ type: 'own-files-checked', names, reply });
  }, [ask]);

  /**
   * A model.json and its weights: the worker checks them against LeNet's family, evaluates the model on
   * the config's test images and keeps it as the newest run. Resolves with why not, or null when it did.
   */
  const importModel = useCallback(async (files: RunWeights, fileName: string, config: Config): Promise<string | null> => {
    const id = ++runId.current;
    const reply = await ask<ImportedModelReply | UnavailableReply>((api) => api.importModel(
      id, Comlink.transfer({ modelJson: files.modelJson, weights: files.weights }, [files.weights]), config.dataset, config.test, config.backend,
    ));
    if (reply.type !== 'imported') return `${fileName}: ${reply.message}`;
    if (runId.current !== id) return null;
    dispatch({
      type: 'imported', runId: id, fileName, reply,
      config: { ...config, arch: reply.arch, activation: reply.activation, pool: reply.pool },
    });
    return null;
  }, [ask]);

  return { state, train, pause, resume, stop, reset, dismissError, query, openOwnFiles, importModel };
}
