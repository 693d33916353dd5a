/** A learner's kept run of an exercise, to set beside the answer we measured. */
import { exerciseConfig, type Exercise } from '../../core/config/exercises';
import { configDiff, runConfig, type RunRecord } from './runRecord';

/** The newest kept run with the exercise's settings (any backend and image counts), with at least one epoch. */
export function latestRunOf(exercise: Exercise, runs: readonly RunRecord[]): RunRecord | null {
  if (exercise.opensFeatureMaps) return null;
  return runs.find((run) => {
    const config = runConfig(run);
    // The exercise as set up for this run's backend, image counts and epochs.
    const asSetUp = { ...exerciseConfig(exercise, config), epochs: config.epochs };
    return run.epochs.length > 0 && configDiff(asSetUp, config).length === 0;
  }) ?? null;
}
