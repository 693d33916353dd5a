/**
 * Keeps the views' questions to the worker few: one question of a kind in
 * flight at a time, at most one every `minIntervalMs`, and only the newest of
 * those asked meanwhile is sent. Training shares the worker's thread with the
 * answers, so a view that asks on every pointer move must not queue hundreds.
 */

export interface Coalescer<A> {
  /** Asks now if allowed, else replaces whatever was waiting. */
  request(args: A): void;
  /** Drops the waiting question and every later reply. */
  dispose(): void;
}

export interface CoalesceOptions {
  minIntervalMs?: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export function coalesce<A, R>(
  ask: (args: A) => Promise<R>,
  deliver: (reply: R, args: A) => void,
  options: CoalesceOptions = {},
): Coalescer<A> {
  const {
    minIntervalMs = 0,
    now = () => performance.now(),
    setTimer = (callback, ms) => setTimeout(callback, ms),
    clearTimer = (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  } = options;
  let inFlight = false;
  let waiting: { args: A } | null = null;
  let lastStart = -Infinity;
  let timer: unknown = null;
  let disposed = false;

  const start = (args: A) => {
    inFlight = true;
    lastStart = now();
    void ask(args).then((reply) => {
      inFlight = false;
      if (disposed) return;
      deliver(reply, args);
      next();
    }, () => {
      inFlight = false;
      if (!disposed) next();
    });
  };

  const next = () => {
    if (inFlight || timer !== null || !waiting || disposed) return;
    const wait = lastStart + minIntervalMs - now();
    if (wait > 0) {
      timer = setTimer(() => {
        timer = null;
        next();
      }, wait);
      return;
    }
    const { args } = waiting;
    waiting = null;
    start(args);
  };

  return {
    request(args) {
      if (disposed) return;
      waiting = { args };
      next();
    },
    dispose() {
      disposed = true;
      waiting = null;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}
