import type { WorkerMemory } from '../../worker/protocol';

export interface MemoryReadoutProps {
  /** Measured after the last run ended; null while a run is on or before the first. */
  memory: WorkerMemory | null;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const megabytes = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/**
 * What tfjs still holds in the worker once a run is over. The same number
 * after every run means nothing leaks; a learner can watch it too.
 */
export function MemoryReadout({ memory }: MemoryReadoutProps) {
  const text = memory
    ? `${integer.format(memory.numTensors)} ${memory.numTensors === 1 ? 'tensor' : 'tensors'}, ` +
      `${megabytes.format(memory.numBytes / 1e6)} MB on ${memory.backend ?? 'no backend'}`
    : 'measured when a run ends';
  return (
    <p className="panel-help memory-readout">
      <span id="memory-label">Worker memory</span>{' '}
      {/* Not a live region: it changes at every run's start and end, the status already says what happened. */}
      <output aria-labelledby="memory-label" aria-live="off">{text}</output>
    </p>
  );
}
