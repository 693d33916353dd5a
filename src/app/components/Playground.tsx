import { useMemo } from 'react';
import type { Problem } from '../../core/config/codec';
import type { Config } from '../../core/config/params';
import { DATASET_INFO } from '../../core/data/datasets';
import { networkTable } from '../../core/model/architecture';
import type { Exports } from '../export/useExports';
import type { Inspector } from '../inspect/useInspector';
import type { RunWeights } from '../runs/runRecord';
import type { Runs } from '../runs/useRuns';
import { integer, threeDigits } from '../format';
import { isRunning, type RunState } from '../runState';
import { trainBlockedReason } from '../trainReadiness';
import { InspectViews } from './inspect/InspectViews';
import { FEATURE_MAPS_TITLE_ID } from './inspect/FeatureMapsView';
import { ArchitectureSection } from './ArchitectureSection';
import { ControlsPanel } from './ControlsPanel';
import { EpochTable } from './EpochTable';
import { ErrorAlert } from './ErrorAlert';
import { ExercisesSection } from './ExercisesSection';
import { ExportButtons } from './ExportButtons';
import { MemoryReadout } from './MemoryReadout';
import { ProblemsNotice } from './ProblemsNotice';
import { ProgressPanel } from './ProgressPanel';
import { RunButtons } from './RunButtons';
import { RunsSection } from './RunsSection';
import { ShareLink } from './ShareLink';
import { StatusPanel } from './StatusPanel';
import { TrainingChart } from './TrainingChart';

/** What the page can ask of a run (useTrainer's actions). */
export interface RunActions {
  train(config: Config): void;
  pause(): void;
  resume(): void;
  stop(): void;
  reset(): void;
  dismissError(): void;
  openOwnFiles(files: File[]): void;
  importModel(files: RunWeights, fileName: string, config: Config): Promise<string | null>;
}

/** What the imported model scored, in words. */
function importedText(state: RunState, config: Config): string | null {
  const { imported, runDataset } = state;
  if (!imported) return null;
  return `Imported ${imported.fileName}: test acc ${threeDigits(imported.testAccuracy)} on ${integer(imported.testImages)} ` +
    `${DATASET_INFO[runDataset ?? config.dataset].label} test images. The views below look inside it.`;
}

export interface PlaygroundProps {
  config: Config;
  onConfigChange(next: Config): void;
  problems: Problem[];
  onDismissProblems(): void;
  shareUrl: string;
  state: RunState;
  actions: RunActions;
  inspector: Inspector;
  exports: Exports;
  runs: Runs;
}

const D2L_LENET = 'https://d2l.ai/chapter_convolutional-neural-networks/lenet.html';

/** The whole page, from props only: App wires the hooks in. */
export function Playground({
  config, onConfigChange, problems, onDismissProblems, shareUrl, state, actions, inspector, exports, runs,
}: PlaygroundProps) {
  // The worker fetches the dataset as soon as the page opens. Settings and
  // Train stay usable meanwhile: a run started now simply waits for the data.
  const preloading = state.phase === 'loading' && state.plannedEpochs === 0;
  const locked = isRunning(state.phase) && !preloading;
  const table = useMemo(() => networkTable(config), [config]);
  const blockedReason = trainBlockedReason(config, table, state.ownFiles);
  const showBookPair = () => {
    inspector.featureMaps.compareBookPair?.();
    document.getElementById(FEATURE_MAPS_TITLE_ID)?.scrollIntoView({ block: 'start' });
  };
  return (
    <div className="app">
      <header className="app-header">
        <h1>LeNet Playground</h1>
        <p className="tagline">
          Tweak the LeNet of{' '}
          <a href={D2L_LENET} target="_blank" rel="noopener noreferrer">
            Dive into Deep Learning, “Convolutional Neural Networks (LeNet)”
          </a>
          , train it on {DATASET_INFO[config.dataset].label} in your browser and watch it learn.
        </p>
      </header>
      <ProblemsNotice problems={problems} onDismiss={onDismissProblems} />
      <main>
        <div className="layout">
          <aside className="sidebar">
            <ControlsPanel
              config={config} locked={locked} onChange={onConfigChange}
              ownFiles={state.ownFiles} onOwnFiles={actions.openOwnFiles}
            />
            <ShareLink shareUrl={shareUrl} />
          </aside>
          <div className="results">
            <section className="panel run" aria-labelledby="run-title">
              <div className="run-head">
                <h2 id="run-title">Run</h2>
                <StatusPanel state={state} />
              </div>
              <RunButtons
                phase={state.phase}
                preloading={preloading}
                blockedReason={blockedReason}
                onTrain={() => actions.train(config)}
                onPause={actions.pause}
                onResume={actions.resume}
                onStop={actions.stop}
                onReset={actions.reset}
              />
              <ErrorAlert message={state.error} onDismiss={actions.dismissError} />
              <ProgressPanel state={state} />
              <MemoryReadout memory={state.memory} />
              <ExportButtons exports={exports} />
            </section>
            <TrainingChart
              points={state.points}
              plannedEpochs={state.plannedEpochs || config.epochs}
              running={locked}
              overlays={runs.overlays}
              bookMarks={runs.bookMarks}
              onBookMarksChange={runs.setBookMarks}
            />
            <EpochTable rows={state.epochRows} />
            <RunsSection
              runs={runs} locked={locked} onLoadSettings={onConfigChange}
              onImportModel={(files, fileName) => void actions.importModel(files, fileName, config).then((problem) => {
                if (problem) runs.reportProblem(`${problem} Nothing was imported.`);
              })}
              importStatus={importedText(state, config)}
            />
            <ArchitectureSection config={config} table={table} locked={locked} onChange={onConfigChange} />
          </div>
        </div>
        <ExercisesSection
          config={config} locked={locked} onChange={onConfigChange} onShowBookPair={showBookPair} runs={runs.runs}
          bookPairReady={inspector.featureMaps.compareBookPair !== null}
        />
        <InspectViews
          inspector={inspector} epochRows={state.epochRows} importedConfusion={state.imported?.confusion ?? null} dataset={config.dataset}
        />
      </main>
    </div>
  );
}
