import { Playground } from './components/Playground';
import { useExports } from './export/useExports';
import { useInspector } from './inspect/useInspector';
import { useRuns } from './runs/useRuns';
import { useTrainer } from './useTrainer';
import { useUrlConfig } from './useUrlConfig';

/** Wires the URL-backed settings and the training run into the page. */
export function App() {
  const { config, setConfig, problems, dismissProblems, shareUrl } = useUrlConfig();
  const { state, query, ...actions } = useTrainer(config.backend, config.dataset);
  const inspector = useInspector(query, {
    runId: state.runId, dataset: config.dataset, runDataset: state.runDataset, loaded: state.loaded,
    // An imported model has one test pass, as a run after its first epoch.
    epochs: state.epochRows.length || (state.imported ? 1 : 0), progress: state.points.length,
  });
  const exports = useExports(query, state.runId, state.epochRows);
  const runs = useRuns(query, state);
  return (
    <Playground
      config={config}
      onConfigChange={setConfig}
      problems={problems}
      onDismissProblems={dismissProblems}
      shareUrl={shareUrl}
      state={state}
      actions={actions}
      inspector={inspector}
      exports={exports}
      runs={runs}
    />
  );
}
