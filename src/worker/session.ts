/**
 * The worker's runs: one at a time, each named by the page's run id, with
 * Pause, Resume and Stop. The model of the run in progress and of the last
 * run that ended are kept so the page can ask them questions (queries.ts);
 * older ones are freed when a new run starts, so memory stays flat. A model
 * the learner imports counts as the newest ended run.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Config } from '../core/config/params';
import type { DatasetName } from '../core/data/datasets';
import type { Splits } from '../core/data/datasetFolder';
import type { Evaluation } from '../core/inspect/evaluate';
import { buildModel } from '../core/model/build';
import { readLenetModel, type ImportedConfig } from '../core/model/modelImport';
import type { EndEvent, TrainEvent } from '../core/train/events';
import { trainModel } from '../core/train/train';
import { chooseTrainingStep } from '../kernels/webgpu/compiled';
import { BackendKeeper } from './backendKeeper';
import { BACKEND_LABEL, describeBackend, releaseLostReads } from './backends';
import { DatasetStore, errorMessage } from './dataset';
import { buildImportedModel, evaluateImported } from './imported';
import type { ActiveBackend, ImportedModelFiles, ImportedModelReply, UnavailableReply, WorkerEvent } from './protocol';

const GONE_REMEMBERED = 20;

/** A run's model, kept for queries. */
export interface KeptRun {
  id: number;
  model: tf.LayersModel;
  backend: ActiveBackend;
  /** The latest test pass; null until the first epoch ends. */
  evaluation: Evaluation | null;
  /** The data it was trained on: queries answer from these even after the learner opens other files. */
  splits: Splits;
}

function isEnd(event: TrainEvent): event is EndEvent {
  return event.type === 'done' || event.type === 'stopped' || event.type === 'diverged' || event.type === 'error';
}

function unavailable(message: string): UnavailableReply {
  return { type: 'unavailable', message };
}

function disposeModel(model: tf.LayersModel): void {
  try {
    model.dispose();
  } catch {
    // A lost GPU context may refuse even this.
  }
}

export class RunSession {
  private abort: AbortController | null = null;
  private resumeRun: (() => void) | null = null;
  private pauseGate: Promise<void> | null = null;
  /** The run in progress; a new run waits for it so two never share the backend. */
  private running: Promise<EndEvent> | null = null;
  /** The import in progress; a new run waits for it too. */
  private importing: Promise<unknown> | null = null;
  /** Oldest first: at most the last ended run and the one in progress. */
  private readonly kept: KeptRun[] = [];
  /** Runs whose model is gone, with the reason, for a clear answer to a late query. */
  private readonly gone = new Map<number, string>();
  /** The latest run asked for, whose model may not be built yet. */
  private latestRunId: number | null = null;

  constructor(private readonly dataset: DatasetStore, private readonly backends: BackendKeeper) {}

  async train(runId: number, config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent> {
    // Synchronously, before any await: a Pause sent right after this Train
    // applies to this run, and the previous run stops now.
    this.stop();
    this.latestRunId = runId;
    const abort = new AbortController();
    this.abort = abort;
    const previous = this.running;
    const importing = this.importing;
    const run = (async () => {
      await previous;
      await importing;
      return this.run(runId, config, onEvent, abort);
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  /** One run. Emits exactly one end event, last, and resolves with it. */
  private async run(runId: number, config: Config, onEvent: (event: WorkerEvent) => void, abort: AbortController): Promise<EndEvent> {
    let ended = false;
    let loss: { dispose(): void } | null = null;
    const emit = (event: WorkerEvent) => {
      if (!ended) onEvent(event);
    };
    const end = (event: EndEvent): EndEvent => {
      emit(event);
      ended = true;
      return event;
    };
    try {
      const splits = await this.dataset.load(config.dataset, emit);
      const choice = await this.backends.start(config.backend, config.kernels === 'compiled');
      const details = await describeBackend(choice.backend);
      const backendEvent = { type: 'backend', backend: choice.backend, requested: config.backend, note: choice.note, details } as const;
      if (abort.signal.aborted) {
        emit(backendEvent);
        return end({ type: 'stopped', epoch: 0, step: 0, elapsedSeconds: 0 });
      }
      const watch = this.backends.watchLoss(choice.backend);
      loss = watch;
      const { lost } = watch;
      // Only the last ended run stays beside the new one.
      this.forget(this.kept.length - 1, 'a newer run replaced its model');
      const kept: KeptRun = { id: runId, model: buildModel(config), backend: choice.backend, evaluation: null, splits };
      this.kept.push(kept);
      const { step: compiledStep, note: stepNote } = await chooseTrainingStep(choice, kept.model, config);
      // Compiled: a detail of how it runs; tfjs's kernels on WebGPU: a note with the reason, as a fallback is.
      emit(compiledStep
        ? { ...backendEvent, details: `${details} · ${stepNote}` }
        : { ...backendEvent, note: [choice.note, stepNote].filter(Boolean).join('; ') || null });
      const training = trainModel({
        compiledStep: compiledStep ?? undefined,
        model: kept.model, config, train: splits.train, test: splits.test, signal: abort.signal,
        // The end event is sent below, once it is known whether the GPU was lost.
        onEvent: (event) => {
          if (!isEnd(event)) emit(event);
        },
        onEvaluation: (evaluation) => {
          kept.evaluation = evaluation;
        },
        waitWhilePaused: () => this.pauseGate ?? Promise.resolve(),
      });
      // Freed once the loop has let go of it, also when a lost GPU ends the run first.
      void training.finally(() => compiledStep?.dispose());
      // A lost WebGL context leaves tfjs waiting forever on a read-back: do not wait with it.
      let outcome = await Promise.race([training, lost]);
      const gpu = choice.backend === 'webgpu' || choice.backend === 'webgl';
      if (gpu && typeof outcome !== 'string' && outcome.type === 'error') {
        // A lost WebGPU device makes the read-back fail just before `lost` resolves.
        const why = await Promise.race([lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), 250))]);
        if (why !== null) outcome = why;
      }
      if (typeof outcome === 'string') {
        abort.abort();
        releaseLostReads(choice.backend);
        this.backends.markLost(choice.backend);
        // Its weights lived on the lost GPU; free them once the loop has let go of them.
        void training.finally(() => this.forgetBackend(choice.backend, `its GPU was lost (${outcome})`));
        return end({
          type: 'error',
          message: `The run stopped: ${outcome}. The charts keep what it learned; the next run uses another ` +
            `backend than ${BACKEND_LABEL[choice.backend]}.`,
        });
      }
      return end(outcome);
    } catch (error) {
      return end({ type: 'error', message: errorMessage(error, config.dataset) });
    } finally {
      loss?.dispose();
      if (this.abort === abort) this.abort = null;
      const own = this.kept.findIndex((kept) => kept.id === runId);
      // This run is now the last ended one: the one before it goes.
      if (own > 0) this.forget(own, 'a newer run replaced its model');
      if (own < 0 && !this.gone.has(runId)) this.markGone(runId, 'the run ended before its model was built');
    }
  }

  /**
   * Checks an imported model (see readLenetModel), builds it with its
   * weights, evaluates it on `dataset`'s test split and keeps it under
   * `runId` as the newest ended run: older kept models are freed. Never
   * rejects: whatever goes wrong is an unavailable reply, in words.
   */
  async importModel(
    runId: number, files: ImportedModelFiles, dataset: DatasetName, testImages: number, backend: BackendName,
  ): Promise<ImportedModelReply | UnavailableReply> {
    if (this.running) return unavailable('Stop the run first: a model is imported while no run is training.');
    if (this.importing) return unavailable('Another model is being imported: wait until it is ready, then import this one.');
    const read = readLenetModel(files?.modelJson, files?.weights);
    if (read.problem !== undefined) return unavailable(read.problem);
    this.latestRunId = runId;
    const work = this.importChecked(runId, read.config, files.weights, dataset, testImages, backend);
    this.importing = work;
    try {
      return await work;
    } finally {
      if (this.importing === work) this.importing = null;
    }
  }

  private async importChecked(
    runId: number, config: ImportedConfig,
    weights: ArrayBuffer, dataset: DatasetName, testImages: number, requested: BackendName,
  ): Promise<ImportedModelReply | UnavailableReply> {
    let model: tf.LayersModel | null = null;
    let loss: { dispose(): void } | null = null;
    let kept = false;
    try {
      const splits = await this.dataset.load(dataset, () => undefined);
      const choice = await this.backends.start(requested);
      const watch = this.backends.watchLoss(choice.backend);
      loss = watch;
      const built = buildImportedModel(config, weights);
      model = built;
      const count = Number.isFinite(testImages) && testImages >= 1 ? Math.floor(testImages) : splits.test.count;
      const evaluating = evaluateImported(built, splits.test, count);
      // A lost WebGL context leaves tfjs waiting forever on a read-back: do not wait with it.
      const outcome = await Promise.race([evaluating, watch.lost]);
      if (typeof outcome === 'string') {
        releaseLostReads(choice.backend);
        this.backends.markLost(choice.backend);
        // Its weights lived on the lost GPU; free them once the pass has let go of them.
        model = null;
        void evaluating.catch(() => undefined).finally(() => disposeModel(built));
        return unavailable(`The model could not be evaluated: ${outcome}. Import it again: the next try uses another backend than ${BACKEND_LABEL[choice.backend]}.`);
      }
      // The imported model is now the last ended run: every model before it goes.
      this.forget(this.kept.length, 'a model imported later replaced it');
      this.kept.push({ id: runId, model: built, backend: choice.backend, evaluation: outcome.evaluation, splits });
      kept = true;
      model = null;
      return {
        type: 'imported', ...config, testAccuracy: outcome.testAccuracy, confusion: outcome.confusion,
        testImages: outcome.evaluation.images.length, backend: choice.backend,
      };
    } catch (error) {
      return unavailable(`The model could not be imported: ${errorMessage(error, dataset)}`);
    } finally {
      loss?.dispose();
      if (model) disposeModel(model);
      if (!kept && !this.gone.has(runId)) this.markGone(runId, 'its import failed');
    }
  }

  /** Frees the kept models before index `keep` (exclusive), oldest first. */
  private forget(keep: number, why: string): void {
    for (const run of this.kept.splice(0, Math.max(0, keep))) {
      disposeModel(run.model);
      this.markGone(run.id, why);
    }
  }

  private forgetBackend(backend: ActiveBackend, why: string): void {
    for (let i = this.kept.length - 1; i >= 0; i--) {
      if (this.kept[i].backend !== backend) continue;
      const [run] = this.kept.splice(i, 1);
      disposeModel(run.model);
      this.markGone(run.id, why);
    }
  }

  private markGone(runId: number, why: string): void {
    this.gone.set(runId, why);
    // Only recent runs are ever asked about; keep the memory of gone ones small.
    if (this.gone.size > GONE_REMEMBERED) this.gone.delete(this.gone.keys().next().value!);
  }

  /** The kept run `runId`, or why there is none, in words for the view. */
  find(runId: number): KeptRun | string {
    const run = this.kept.find((candidate) => candidate.id === runId);
    if (!run) {
      const why = this.gone.get(runId);
      if (why) return `The model of that run is gone: ${why}. Train again to see it.`;
      if (runId === this.latestRunId) return 'The run is starting: its model appears in a moment.';
      return 'This worker has no model of that run: the training worker was restarted. Train again to see it.';
    }
    const lost = this.backends.lostReason(run.backend);
    if (lost) return `The model is gone: ${lost}. Train again to see it.`;
    if (tf.getBackend() !== run.backend) return `That model lives on ${BACKEND_LABEL[run.backend]}, which is no longer running. Train again to see it.`;
    return run;
  }

  /** The kept models' weights: the memory readout counts them apart from everything else. */
  keptMemory(): { models: number; tensors: number; bytes: number } {
    let tensors = 0;
    let bytes = 0;
    for (const run of this.kept) {
      for (const weight of run.model.weights) {
        tensors++;
        bytes += weight.shape.reduce((product: number, n) => product * (n ?? 1), 1) * 4;
      }
    }
    return { models: this.kept.length, tensors, bytes };
  }

  pause(): void {
    // Nothing to pause, or a Stop is already on its way: a pause now would hold the stop back.
    if (!this.abort || this.abort.signal.aborted || this.pauseGate) return;
    this.pauseGate = new Promise((resolve) => {
      this.resumeRun = resolve;
    });
  }

  resume(): void {
    this.resumeRun?.();
    this.resumeRun = null;
    this.pauseGate = null;
  }

  stop(): void {
    this.abort?.abort();
    this.resume();
  }
}
