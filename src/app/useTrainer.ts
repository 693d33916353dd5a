import { useCallback, useEffect, useReducer, useRef } from 'react';
import * as Comlink from 'comlink';
import type { Config } from '../core/config/params';
import type { TrainerApi, WorkerEvent } from '../worker/protocol';
import { initialRunState, runReducer } from './runState';

interface WorkerHandle {
  worker: Worker;
  api: Comlink.Remote<TrainerApi>;
}

const DATA_URL = new URL('data/fashion-mnist/', document.baseURI).href;

/**
 * Owns the training worker: starts it, restarts it after a crash, and turns
 * its event stream into RunState. Events are applied at most once per
 * animation frame, so a burst of them costs one render; in a hidden tab they
 * wait and the charts catch up when it is shown again.
 */
export function useTrainer() {
  const [state, dispatch] = useReducer(runReducer, initialRunState);
  const handle = useRef<WorkerHandle | null>(null);
  /** Events of runs other than the latest are ignored. */
  const runId = useRef(0);
  const pending = useRef<WorkerEvent[]>([]);
  const frame = useRef<number | null>(null);

  const flush = useCallback(() => {
    frame.current = null;
    const events = pending.current;
    pending.current = [];
    if (events.length) dispatch({ type: 'events', events });
  }, []);

  /** Events of a run (id) or of the data load (null, never stale). */
  const listener = useCallback((id: number | null) => Comlink.proxy((event: WorkerEvent) => {
    if (id !== null && id !== runId.current) return;
    pending.current.push(event);
    frame.current ??= requestAnimationFrame(flush);
  }), [flush]);

  useEffect(() => {
    let unmounted = false;
    const spawn = (): WorkerHandle => {
      const worker = new Worker(new URL('../worker/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
      const api = Comlink.wrap<TrainerApi>(worker);
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        if (unmounted) return;
        runId.current++;
        dispatch({
          type: 'crashed',
          message: `The training worker crashed (${event.message || 'unknown error'}). Press Train to start again.`,
        });
        worker.terminate();
        handle.current = spawn();
      });
      // The worker reports a failed load as an 'error' event; Train tries again.
      void api.loadData(DATA_URL, listener(null));
      return { worker, api };
    };
    handle.current = spawn();
    return () => {
      unmounted = true;
      handle.current?.worker.terminate();
      handle.current = null;
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [listener]);

  const train = useCallback((config: Config) => {
    const id = ++runId.current;
    pending.current = [];
    dispatch({ type: 'start', epochs: config.epochs });
    void handle.current?.api.train(config, listener(id));
  }, [listener]);

  const pause = useCallback(() => {
    void handle.current?.api.pause();
    dispatch({ type: 'paused' });
  }, []);
  const resume = useCallback(() => {
    void handle.current?.api.resume();
    dispatch({ type: 'resumed' });
  }, []);
  const stop = useCallback(() => void handle.current?.api.stop(), []);
  const reset = useCallback(() => {
    runId.current++;
    pending.current = [];
    void handle.current?.api.stop();
    dispatch({ type: 'reset' });
  }, []);
  const dismissError = useCallback(() => dispatch({ type: 'dismiss-error' }), []);

  return { state, train, pause, resume, stop, reset, dismissError };
}
