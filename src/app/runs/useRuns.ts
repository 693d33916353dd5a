/**
 * The learner's kept runs: opened from IndexedDB when the page opens, a run
 * saved (with its weights while they fit the budget) when it ends, re-read
 * when another tab changes them. Without IndexedDB the page trains as usual
 * and says why nothing is kept.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { encode } from '../../core/config/codec';
import type { QueryFn } from '../inspect/useInspector';
import type { RunState } from '../runState';
import { downloadFile } from '../export/download';
import { NO_SLOTS, overlayColour, toggleShown, type ChartOverlay, type ShownSlots } from './overlays';
import { importSizeProblem, isRunFile, readRunFile, runFileName, runFileText } from './runFile';
import { RUN_ENDS, defaultRunName, newRunId, type RunEnd, type RunRecord, type RunWeights } from './runRecord';
import { openRunStore, type RunStore } from './runStore';

/** A model.json and its weights file that the page hands to the worker to check, evaluate and keep. */
export type ModelImporter = (files: RunWeights, fileName: string) => void;

async function parseJson(file: File): Promise<unknown> {
  try {
    return JSON.parse(await file.text());
  } catch {
    return undefined;
  }
}

const isEnd = (phase: string): phase is RunEnd => (RUN_ENDS as readonly string[]).includes(phase);

/** The ended run as a record; null when it learned nothing worth keeping. */
export function recordOf(state: RunState, id: string, existing: number): RunRecord | null {
  const { runConfig, phase } = state;
  if (!runConfig || !isEnd(phase) || (state.points.length === 0 && state.epochRows.length === 0)) return null;
  const link = encode(runConfig);
  return {
    id,
    name: defaultRunName({ link, startedAt: state.startedAt }, existing),
    link,
    dataset: runConfig.dataset,
    backend: state.backend?.name ?? runConfig.backend,
    backendDetails: state.backend?.details ?? '',
    startedAt: state.startedAt,
    seconds: state.elapsedSeconds,
    end: phase,
    epochs: state.epochRows.map(({ epoch, trainLoss, trainAccuracy, testAccuracy, seconds, imagesPerSecond }) =>
      ({ epoch, trainLoss, trainAccuracy, testAccuracy, seconds, imagesPerSecond })),
    points: state.points,
    hasWeights: false,
  };
}

export function useRuns(query: QueryFn, state: RunState) {
  const [store, setStore] = useState<RunStore | null>(null);
  const [runs, setRuns] = useState<RunRecord[]>([]);
  /** Why runs are not (or this one was not) kept; null when all is well. */
  const [problem, setProblem] = useState<string | null>(null);
  const [shown, setShown] = useState<ShownSlots>(NO_SLOTS);
  const [compared, setCompared] = useState<string[]>([]);
  const [bookMarks, setBookMarks] = useState(false);

  const reload = useCallback(async (from: RunStore) => {
    const { runs: kept, skipped } = await from.list();
    setRuns(kept);
    if (skipped) setProblem(`${skipped} kept ${skipped === 1 ? 'run was' : 'runs were'} unreadable and ${skipped === 1 ? 'is' : 'are'} not shown.`);
  }, []);

  useEffect(() => {
    let open: RunStore | null = null;
    let unmounted = false;
    const closed = (problem: string) => {
      // Another tab upgraded the database, or the browser closed it: say so now, not at the next save.
      setProblem(problem);
      setStore(null);
    };
    void openRunStore({ onChange: () => open && void reload(open), onClose: closed }).then((opened) => {
      if ('problem' in opened) {
        setProblem(opened.problem);
        return;
      }
      if (unmounted) {
        opened.store.close();
        return;
      }
      open = opened.store;
      setStore(open);
      void reload(open);
    });
    return () => {
      unmounted = true;
      open?.close();
    };
  }, [reload]);

  // Each run is saved once, when it ends.
  const saved = useRef(new Set<number>());
  useEffect(() => {
    const { runId } = state;
    // Cheap checks first: this runs at every event of a run, and only its end is saved.
    if (!store || runId === null || saved.current.has(runId) || !isEnd(state.phase)) return;
    const record = recordOf(state, newRunId(), runs.length);
    if (!record) return;
    saved.current.add(runId);
    void (async () => {
      const files = await query({ type: 'export', runId });
      try {
        await store.save(record, files.type === 'model-files' ? { modelJson: files.modelJson, weights: files.weights } : null);
        await reload(store);
      } catch (error) {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    })();
  }, [store, state, runs.length, query, reload]);

  const act = useCallback(async (change: (from: RunStore) => Promise<void>) => {
    if (!store) {
      setProblem('Runs cannot be kept in this browser now, so nothing was changed or imported.');
      return;
    }
    try {
      await change(store);
      await reload(store);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [store, reload]);

  /** A run as one JSON file: its record and, where kept, its weights. */
  const download = useCallback(async (run: RunRecord) => {
    const weights = store && run.hasWeights ? await store.weights(run.id).catch(() => null) : null;
    downloadFile(runFileName(run), runFileText(run, weights), 'application/json');
  }, [store]);

  /**
   * Files from the Import input: a run file becomes a kept run; model.json with its weights file goes to
   * the worker. Anything else is named in an alert, and nothing is stored.
   */
  const importFiles = useCallback(async (files: File[], importModel: ModelImporter) => {
    const tooBig = importSizeProblem(files);
    if (tooBig) {
      setProblem(tooBig);
      return;
    }
    const jsons = files.filter((file) => /\.json$/i.test(file.name));
    const binaries = files.filter((file) => !jsons.includes(file));
    if (jsons.length !== 1) {
      setProblem(`Choose one run file (.json), or a model.json with its weights file; got ${files.map((file) => file.name).join(', ')}.`);
      return;
    }
    const [json] = jsons;
    const value = await parseJson(json);
    if (isRunFile(value)) {
      const read = readRunFile(value, json.name);
      if ('problem' in read) {
        setProblem(`${read.problem}. Nothing was imported.`);
        return;
      }
      await act((from) => from.save({ ...read.record, id: newRunId() }, read.weights));
      return;
    }
    if (typeof value === 'object' && value !== null && 'modelTopology' in value) {
      if (binaries.length !== 1) {
        setProblem(`${json.name} is a tfjs model: choose it together with its one weights file (.bin).`);
        return;
      }
      importModel({ modelJson: JSON.stringify(value), weights: await binaries[0].arrayBuffer() }, json.name);
      return;
    }
    setProblem(`${json.name}: ${value === undefined ? 'not JSON' : 'neither a run file of this playground nor a tfjs model.json'}. Nothing was imported.`);
  }, [act]);

  const overlays = useMemo((): ChartOverlay[] => shown.flatMap((id, slot) => {
    const run = id === null ? undefined : runs.find((candidate) => candidate.id === id);
    return run ? [{ id: run.id, name: run.name, colour: overlayColour(slot), points: run.points }] : [];
  }), [shown, runs]);

  return {
    runs,
    problem,
    dismissProblem: () => setProblem(null),
    overlays,
    shown,
    show: (id: string, on: boolean) => setShown((current) => toggleShown(current, id, on)),
    compared,
    compare: (id: string, on: boolean) => setCompared((current) => (on ? [...current.filter((other) => other !== id), id].slice(-2) : current.filter((other) => other !== id))),
    rename: (id: string, name: string) => act((from) => from.rename(id, name)),
    remove: (id: string) => {
      setShown((current) => toggleShown(current, id, false));
      setCompared((current) => current.filter((other) => other !== id));
      return act((from) => from.remove(id));
    },
    clear: () => {
      setShown(NO_SLOTS);
      setCompared([]);
      return act((from) => from.clear());
    },
    bookMarks,
    setBookMarks,
    download,
    importFiles,
    reportProblem: setProblem,
  };
}

export type Runs = ReturnType<typeof useRuns>;
