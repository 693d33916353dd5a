import type { WorkerMemory } from '../../worker/protocol';
import { integer, oneDigit } from '../format';

export interface MemoryReadoutProps {
  /** Measured after the last run ended; null while a run is on or before the first. */
  memory: WorkerMemory | null;
}


/**
 * What tfjs still holds in the worker once a run is over, apart from the
 * model kept for the inspection views. Zero after every run means nothing
 * leaks; a learner can watch it too.
 */
export function MemoryReadout({ memory }: MemoryReadoutProps) {
  const tensors = (n: number) => `${integer(n)} ${n === 1 ? 'tensor' : 'tensors'}`;
  const text = memory
    ? `${tensors(memory.numTensors)}, ${oneDigit(memory.numBytes / 1e6)} MB on ${memory.backend ?? 'no backend'}` +
      (memory.keptModels
        ? ` besides the ${memory.keptModels === 1 ? 'model' : `${memory.keptModels} models`} kept for the views ` +
          `(${tensors(memory.keptTensors)}, ${oneDigit(memory.keptBytes / 1e6)} MB)`
        : '')
    : 'measured when a run ends';
  return (
    <p className="panel-help memory-readout">
      <span id="memory-label">Worker memory</span>{' '}
      {/* Not a live region: it changes at every run's start and end, the status already says what happened. */}
      <output aria-labelledby="memory-label" aria-live="off">{text}</output>
    </p>
  );
}
