/**
 * Which tfjs backend runs, one start at a time, and which GPUs were lost:
 * a backend whose device or context went away is never started again in
 * this worker, and each run learns of a loss through its own promise.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../core/config/params';
import { compiledStepFor } from '../kernels/prepareBackend';
import { chooseBackend, type BackendChoice, watchDeviceLoss } from './backends';
import type { ActiveBackend } from './protocol';

/** Why a backend whose GPU was lost is not started again; shown in the status. */
const LOST_NOTE = 'its GPU was lost earlier in this session; reload the page to try it again';

interface LossWatch {
  /** Why the GPU went away; null while it is there. */
  reason: string | null;
  /** The runs waiting to hear of it. */
  listeners: Set<(why: string) => void>;
}

export class BackendKeeper {
  private autoChoice: BackendChoice | null = null;
  /** The backend start in progress; the next one waits for it. */
  private starting: Promise<unknown> = Promise.resolve();
  private readonly lost = new Map<ActiveBackend, string>();
  private readonly watches = new Map<ActiveBackend, LossWatch>();

  /**
   * Starts `requested` (for 'auto', measures which is fastest the first time) once earlier starts are done;
   * `compiledStep` asks for the compiled WebGPU step (config.kernels), per run.
   */
  start(requested: BackendName, compiledStep = false): Promise<BackendChoice> {
    const started = this.starting.then(() => this.activate(requested, compiledStep));
    // A failure is reported by whoever awaits it, not by the next start.
    this.starting = started.catch(() => undefined);
    return started;
  }

  private async activate(requested: BackendName, compiledStep: boolean): Promise<BackendChoice> {
    if (requested === 'auto' && this.autoChoice && !this.lost.has(this.autoChoice.backend)) {
      const { backend } = this.autoChoice;
      await tf.setBackend(backend);
      return { ...this.autoChoice, compiledStep: compiledStepFor(backend, { kernels: 'ours', compiledStep }) };
    }
    const choice = await chooseBackend(requested, { unavailable: this.lost, compiledStep });
    if (requested === 'auto') this.autoChoice = choice;
    return choice;
  }

  /** Why `backend`'s GPU is gone, or null. */
  lostReason(backend: ActiveBackend): string | null {
    return this.watches.get(backend)?.reason ?? null;
  }

  /** Never start `backend` again (its GPU is gone). */
  markLost(backend: ActiveBackend): void {
    this.lost.set(backend, LOST_NOTE);
    if (this.autoChoice?.backend === backend) this.autoChoice = null;
  }

  /**
   * A promise for one run that resolves with a reason once `backend`'s GPU
   * is gone (never for wasm and cpu), and a dispose() for the end of the run.
   * Runs do not wait on the shared watcher itself: each would leave a
   * reaction on a promise that may never settle.
   */
  watchLoss(backend: ActiveBackend): { lost: Promise<string>; dispose(): void } {
    let watch = this.watches.get(backend);
    if (!watch) {
      const created: LossWatch = { reason: null, listeners: new Set() };
      watch = created;
      this.watches.set(backend, created);
      void watchDeviceLoss(backend).then((why) => {
        // Lost between runs counts too: the next run must not start on it.
        this.markLost(backend);
        created.reason = why;
        for (const listener of created.listeners) listener(why);
        created.listeners.clear();
      });
    }
    const shared = watch;
    let listener: ((why: string) => void) | null = null;
    const lost = new Promise<string>((resolve) => {
      if (shared.reason !== null) resolve(shared.reason);
      else shared.listeners.add((listener = resolve));
    });
    return {
      lost,
      dispose: () => {
        if (listener) shared.listeners.delete(listener);
      },
    };
  }
}
