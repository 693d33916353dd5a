import { useEffect, useRef } from 'react';
import { isRunning, type Phase } from '../runState';

export interface RunButtonsProps {
  phase: Phase;
  /** The dataset is loading before any run was asked for: nothing to pause or stop yet. */
  preloading: boolean;
  /** Why Train cannot start now (a network that cannot work, files not chosen); null when it can. */
  blockedReason: string | null;
  onTrain(): void;
  onPause(): void;
  onResume(): void;
  onStop(): void;
  onReset(): void;
}

/** Train, Pause/Resume, Stop, Reset. */
export function RunButtons({ phase, preloading, blockedReason, onTrain, onPause, onResume, onStop, onReset }: RunButtonsProps) {
  const paused = phase === 'paused';
  const controllable = isRunning(phase) && !preloading;
  const group = useRef<HTMLDivElement>(null);
  /** Whether keyboard focus was last inside these buttons. */
  const focusInside = useRef(false);

  // Train and Stop disable themselves when pressed, which drops focus onto the
  // page body; put it on the first button that still works instead.
  useEffect(() => {
    const element = group.current;
    if (!element || !focusInside.current) return;
    const active = document.activeElement;
    const lost = active === null || active === document.body ||
      (active instanceof HTMLButtonElement && active.disabled && element.contains(active));
    if (lost) element.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [controllable]);

  return (
    <>
    <div
      ref={group}
      className="run-buttons"
      role="group"
      aria-label="Run"
      onFocus={() => { focusInside.current = true; }}
      onBlur={(event) => {
        if (event.relatedTarget) focusInside.current = event.currentTarget.contains(event.relatedTarget);
      }}
    >
      <button
        type="button"
        className="primary"
        disabled={controllable || blockedReason !== null}
        aria-describedby={blockedReason ? 'train-blocked' : undefined}
        onClick={onTrain}
      >
        Train
      </button>
      <button type="button" disabled={!controllable} onClick={paused ? onResume : onPause}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" disabled={!controllable} onClick={onStop}>Stop</button>
      <button type="button" disabled={isRunning(phase)} onClick={onReset}>Reset</button>
    </div>
    {blockedReason && <p id="train-blocked" className="blocked-reason" role="status">{blockedReason}</p>}
    </>
  );
}
