/**
 * What the page shows about a run, as a pure reducer over worker events.
 * Components only render this; the hook in useTrainer.ts feeds it.
 */
import type { EpochEvent, ProgressEvent } from '../core/train/events';
import type { Config } from '../core/config/params';
import type { DatasetName } from '../core/data/datasets';
import type { ActiveBackend, ImportedModelReply, OwnFilesReply, UnavailableReply, WorkerEvent, WorkerMemory } from '../worker/protocol';

export interface BackendInUse {
  name: ActiveBackend;
  /** Why it, and not the one asked for, runs; null when it is the one asked for. */
  note: string | null;
  /** What it computes on, e.g. "SIMD, 2 threads of 2 cores". */
  details: string;
}

export type Phase =
  | 'loading' // downloading / decoding the dataset or starting a backend
  | 'ready'
  | 'training'
  | 'paused'
  | 'done'
  | 'stopped'
  | 'diverged'
  | 'error';

/** One x position on the chart: train curves at fractions of an epoch, test accuracy at whole epochs. */
export interface ChartPoint {
  epoch: number;
  trainLoss?: number;
  trainAccuracy?: number;
  testAccuracy?: number;
}

/** The learner's own four files, as far as the worker has checked them. */
export type OwnFilesState =
  | { status: 'none' }
  | { status: 'checking'; names: string[] }
  | { status: 'ready'; names: string[]; trainImages: number; testImages: number }
  | { status: 'invalid'; names: string[]; message: string };

export interface RunState {
  phase: Phase;
  /** The backend of the last run, with why it was chosen and what it runs on. */
  backend: BackendInUse | null;
  dataProgress: { file: string; loadedBytes: number; totalBytes: number | null } | null;
  points: ChartPoint[];
  epochRows: EpochEvent[];
  latest: ProgressEvent | null;
  /** Epochs the current run was asked for, for the run progress bar. */
  plannedEpochs: number;
  elapsedSeconds: number;
  /** Alert text: what went wrong and what to do next. */
  error: string | null;
  /** Stop was pressed and the run has not ended yet: a Pause now would be meaningless. */
  stopping: boolean;
  /** tfjs memory in the worker, measured after the last run ended; null while a run is on. */
  memory: WorkerMemory | null;
  /** The datasets the worker holds: the Dataset view can show them. */
  loaded: DatasetName[];
  /** The run whose model the views ask about; null before the first Train and after Reset. */
  runId: number | null;
  /** What that run trains on. */
  runDataset: DatasetName | null;
  /** The settings it was started with, and when (ms since 1970), for the run history. */
  runConfig: Config | null;
  startedAt: number;
  ownFiles: OwnFilesState;
  /** A model the learner imported, evaluated on the test images; it is the run the views ask about. */
  imported: ImportedModel | null;
}

export interface ImportedModel {
  fileName: string;
  testAccuracy: number;
  /** 10×10 counts of that test pass, row-major, as an epoch's. */
  confusion: number[];
  testImages: number;
}

export const initialRunState: RunState = {
  // The worker starts loading the dataset as soon as the page opens.
  phase: 'loading',
  backend: null,
  dataProgress: null,
  points: [],
  epochRows: [],
  latest: null,
  plannedEpochs: 0,
  elapsedSeconds: 0,
  error: null,
  stopping: false,
  memory: null,
  loaded: [],
  runId: null,
  runDataset: null,
  runConfig: null,
  startedAt: 0,
  ownFiles: { status: 'none' },
  imported: null,
};

export type RunAction =
  | { type: 'start'; runId: number; config: Config; startedAt: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'stop' }
  | { type: 'memory'; memory: WorkerMemory }
  | { type: 'reset' }
  | { type: 'crashed'; message: string }
  | { type: 'dismiss-error' }
  | { type: 'imported'; runId: number; config: Config; fileName: string; reply: ImportedModelReply }
  | { type: 'own-files-checking'; names: string[] }
  | { type: 'own-files-checked'; names: string[]; reply: OwnFilesReply | UnavailableReply }
  | { type: 'events'; events: WorkerEvent[] };

function withDataset(loaded: DatasetName[], dataset: DatasetName): DatasetName[] {
  return loaded.includes(dataset) ? loaded : [...loaded, dataset];
}

function applyEvent(state: RunState, event: WorkerEvent): RunState {
  switch (event.type) {
    case 'data-progress':
      return {
        ...state,
        dataProgress: { file: event.file, loadedBytes: event.loadedBytes, totalBytes: event.totalBytes },
      };
    case 'data-ready':
      // Loaded ahead of any run: ready to train. Within a run, training follows.
      return {
        ...state, dataProgress: null, loaded: withDataset(state.loaded, event.dataset),
        phase: state.phase === 'loading' && state.plannedEpochs === 0 ? 'ready' : state.phase,
      };
    case 'backend':
      return { ...state, backend: { name: event.backend, note: event.note, details: event.details } };
    case 'progress':
      return {
        ...state,
        phase: state.phase === 'paused' ? 'paused' : 'training',
        latest: event,
        elapsedSeconds: event.elapsedSeconds,
        points: [...state.points, {
          epoch: event.epochFraction, trainLoss: event.trainLoss, trainAccuracy: event.trainAccuracy,
        }],
      };
    case 'epoch': {
      // The epoch's last progress point sits at the same x: add the test accuracy to it.
      const points = state.points.slice();
      const last = points.at(-1);
      if (last && last.epoch === event.epoch) points[points.length - 1] = { ...last, testAccuracy: event.testAccuracy };
      else points.push({ epoch: event.epoch, testAccuracy: event.testAccuracy });
      return {
        ...state, points, epochRows: [...state.epochRows, event], elapsedSeconds: event.elapsedSeconds,
      };
    }
    case 'done':
      return { ...state, phase: 'done', stopping: false, elapsedSeconds: event.elapsedSeconds };
    case 'stopped':
      return { ...state, phase: 'stopped', stopping: false, elapsedSeconds: event.elapsedSeconds };
    case 'diverged':
      return { ...state, phase: 'diverged', stopping: false, dataProgress: null, error: event.message };
    case 'error':
      return { ...state, phase: 'error', stopping: false, dataProgress: null, error: event.message };
  }
}

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'start':
      return {
        ...initialRunState,
        phase: 'loading',
        backend: state.backend,
        plannedEpochs: action.config.epochs,
        loaded: state.loaded,
        runId: action.runId,
        runDataset: action.config.dataset,
        runConfig: action.config,
        startedAt: action.startedAt,
        ownFiles: state.ownFiles,
      };
    case 'paused':
      return (state.phase === 'training' || state.phase === 'loading') && !state.stopping
        ? { ...state, phase: 'paused' }
        : state;
    case 'resumed':
      return state.phase === 'paused' ? { ...state, phase: 'training' } : state;
    case 'stop':
      return isRunning(state.phase) ? { ...state, stopping: true } : state;
    case 'memory':
      return { ...state, memory: action.memory };
    case 'reset':
      return {
        ...initialRunState, phase: 'ready', backend: state.backend, memory: state.memory, loaded: state.loaded, ownFiles: state.ownFiles,
      };
    case 'crashed':
      // What the run learned stays on the charts; Train starts afresh in a new worker, which loads the data
      // again and has not seen the learner's own files.
      return {
        ...state, phase: 'error', stopping: false, dataProgress: null, error: action.message, loaded: [], ownFiles: { status: 'none' },
      };
    case 'imported': {
      // Like a run that has just ended: no curves, one test pass, a model to look into.
      const { reply, config, fileName } = action;
      return {
        ...initialRunState, phase: 'done', memory: state.memory, loaded: state.loaded, ownFiles: state.ownFiles,
        backend: { name: reply.backend, note: null, details: state.backend?.name === reply.backend ? state.backend?.details ?? '' : '' },
        runId: action.runId, runDataset: config.dataset, runConfig: config,
        imported: { fileName, testAccuracy: reply.testAccuracy, confusion: reply.confusion, testImages: reply.testImages },
      };
    }
    case 'own-files-checking':
      return { ...state, ownFiles: { status: 'checking', names: action.names }, loaded: state.loaded.filter((name) => name !== 'own') };
    case 'own-files-checked': {
      const { names, reply } = action;
      return reply.type === 'own-files'
        ? { ...state, ownFiles: { status: 'ready', names, trainImages: reply.trainImages, testImages: reply.testImages }, loaded: withDataset(state.loaded, 'own') }
        : { ...state, ownFiles: { status: 'invalid', names, message: reply.message } };
    }
    case 'dismiss-error':
      return { ...state, error: null };
    case 'events':
      return action.events.reduce(applyEvent, state);
  }
}

export function isRunning(phase: Phase): boolean {
  return phase === 'loading' || phase === 'training' || phase === 'paused';
}

const PHASE_TEXT: Record<Phase, string> = {
  loading: 'Loading data',
  ready: 'Ready',
  training: 'Training',
  paused: 'Paused',
  done: 'Done',
  stopped: 'Stopped',
  diverged: 'Diverged',
  error: 'Error',
};

export function phaseText(phase: Phase): string {
  return PHASE_TEXT[phase];
}
