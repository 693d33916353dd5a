import { isRunning, type RunState } from '../runState';
import { integer, oneDigit } from '../format';

export interface ProgressPanelProps {
  state: Pick<RunState, 'phase' | 'latest' | 'plannedEpochs' | 'elapsedSeconds' | 'dataProgress' | 'epochRows'>;
}


function formatMegabytes(bytes: number): string {
  return `${oneDigit(bytes / 1e6)} MB`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** "42 s", "1 m 05 s", "2 h 03 m". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (hours > 0) return `${hours} h ${two(minutes)} m`;
  return `${minutes} m ${two(total % 60)} s`;
}

/** Progress bars, speed and time: numbers that change several times a second, so not a live region. */
export function ProgressPanel({ state }: ProgressPanelProps) {
  const { latest, plannedEpochs, dataProgress } = state;
  const stepsPerEpoch = latest?.stepsPerEpoch ?? 0;
  const epochFraction = latest && stepsPerEpoch > 0 ? latest.step / stepsPerEpoch : 0;
  const epochsDone = Math.max(latest?.epochFraction ?? 0, state.epochRows.length);
  const runFraction = plannedEpochs > 0 ? Math.min(1, epochsDone / plannedEpochs) : 0;
  const running = isRunning(state.phase);
  let timeLeft = '—';
  if (state.phase === 'done') timeLeft = '0 s';
  else if (running && runFraction > 0 && runFraction < 1) {
    timeLeft = formatDuration((state.elapsedSeconds * (1 - runFraction)) / runFraction);
  }

  return (
    <div className="progress-panel">
      {dataProgress && (
        <div className="meter">
          <label htmlFor="data-progress">Data download</label>
          <progress
            id="data-progress"
            max={dataProgress.totalBytes ?? undefined}
            value={dataProgress.totalBytes !== null ? dataProgress.loadedBytes : undefined}
          />
          <span className="meter-text">
            {dataProgress.totalBytes !== null
              ? `${formatMegabytes(dataProgress.loadedBytes)} of ${formatMegabytes(dataProgress.totalBytes)}`
              : `${formatMegabytes(dataProgress.loadedBytes)} so far`}
            <span className="meter-file"> · {dataProgress.file}</span>
          </span>
        </div>
      )}
      <div className="meter">
        <label htmlFor="epoch-progress">Epoch progress</label>
        <progress id="epoch-progress" max={1} value={epochFraction} />
        <span className="meter-text">
          {latest ? `Epoch ${latest.epoch}, step ${latest.step} of ${latest.stepsPerEpoch}` : 'Not started'}
        </span>
      </div>
      <div className="meter">
        <label htmlFor="run-progress">Run progress</label>
        <progress id="run-progress" max={1} value={runFraction} />
        <span className="meter-text">
          {plannedEpochs > 0
            ? `${state.epochRows.length} of ${plannedEpochs} epochs done`
            : 'Not started'}
        </span>
      </div>
      <dl className="stats">
        <div>
          <dt>Images/s</dt>
          <dd>{latest ? integer(latest.imagesPerSecond) : '—'}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{state.elapsedSeconds > 0 ? formatDuration(state.elapsedSeconds) : '—'}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd>{timeLeft}</dd>
        </div>
      </dl>
    </div>
  );
}
