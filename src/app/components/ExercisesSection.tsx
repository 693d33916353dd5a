import { useMemo } from 'react';
import { BOOK_TEST_ACCURACY, EXERCISES, exerciseConfig, type Exercise } from '../../core/config/exercises';
import type { Config } from '../../core/config/params';
import { integer, threeDigits } from '../format';
import { latestRunOf } from '../runs/exerciseRuns';
import { runConfig, type RunRecord } from '../runs/runRecord';

export interface ExercisesSectionProps {
  config: Config;
  locked: boolean;
  onChange(next: Config): void;
  /** Exercise 4: the book's pullover and coat side by side in Feature maps. */
  onShowBookPair(): void;
  /** Kept runs: the learner's own answer shows beside ours. */
  runs: readonly RunRecord[];
  /** Whether the model (or, before a run, the chosen dataset) is of clothes, so that the book's pair exists. */
  bookPairReady: boolean;
}

function yourRunText(run: RunRecord): string {
  const last = run.epochs.at(-1)!;
  return `Your run “${run.name}”: test acc ${threeDigits(last.testAccuracy)} after ${run.epochs.length} ` +
    `${run.epochs.length === 1 ? 'epoch' : 'epochs'} on ${integer(runConfig(run).train)} training images.`;
}

function measuredText(exercise: Exercise): string | null {
  if (exercise.measured === null) return null;
  return `In our runs: test acc ${threeDigits(exercise.measured)} after 10 epochs, ` +
    `against ${threeDigits(BOOK_TEST_ACCURACY)} for the book's LeNet.`;
}

/** The chapter's exercises, each one click from its setup, with the answer we measured. */
export function ExercisesSection({ config, locked, onChange, onShowBookPair, runs, bookPairReady }: ExercisesSectionProps) {
  // Once per list of runs, not at every frame of a run.
  const yourRuns = useMemo(() => new Map(EXERCISES.map((exercise) => [exercise.id, latestRunOf(exercise, runs)])), [runs]);
  return (
    <section className="panel exercises" aria-labelledby="exercises-title">
      <h2 id="exercises-title">Exercises</h2>
      <p className="panel-help">
        The book’s exercises for this chapter. Each button sets up one on top of the book’s LeNet (your backend and image
        counts stay); press Train to answer it.
      </p>
      <ol className="exercise-list">
        {EXERCISES.map((exercise) => {
          const measured = measuredText(exercise);
          const yours = yourRuns.get(exercise.id);
          return (
            <li key={exercise.id}>
              <h3>{exercise.id}. {exercise.title}</h3>
              <p>{exercise.question}</p>
              {measured && <p className="exercise-result">{measured}{exercise.note ? ` ${exercise.note}` : ''}</p>}
              {yours && <p className="exercise-yours">{yourRunText(yours)}</p>}
              {exercise.opensFeatureMaps && bookPairReady && (
                <button type="button" onClick={onShowBookPair}>Show a pullover and a coat in Feature maps</button>
              )}
              {exercise.opensFeatureMaps && !bookPairReady && (
                <p className="exercise-result">It needs a model of clothes: set up the book’s LeNet on Fashion-MNIST, train it, then come back.</p>
              )}
              {(!exercise.opensFeatureMaps || !bookPairReady) && (
                <button type="button" disabled={locked} onClick={() => onChange(exerciseConfig(exercise, config))}>
                  Set up exercise {exercise.id}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
