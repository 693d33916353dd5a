import { Playground } from './components/Playground';
import { useTrainer } from './useTrainer';
import { useUrlConfig } from './useUrlConfig';

/** Wires the URL-backed settings and the training run into the page. */
export function App() {
  const { config, setConfig, problems, dismissProblems, shareUrl } = useUrlConfig();
  const { state, ...actions } = useTrainer(config.backend);
  return (
    <Playground
      config={config}
      onConfigChange={setConfig}
      problems={problems}
      onDismissProblems={dismissProblems}
      shareUrl={shareUrl}
      state={state}
      actions={actions}
    />
  );
}
