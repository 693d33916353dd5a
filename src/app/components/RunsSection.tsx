import { useId, useMemo, useState } from 'react';
import type { Config } from '../../core/config/params';
import { DATASET_INFO } from '../../core/data/datasets';
import { dateTime, oneDigit, pointsChange, threeDigits } from '../format';
import { allShown, overlayColour } from '../runs/overlays';
import { cleanRunName, configDiff, diffFromBook, runConfig, type RunRecord } from '../runs/runRecord';
import type { ModelImporter, Runs } from '../runs/useRuns';

export interface RunsSectionProps {
  runs: Runs;
  locked: boolean;
  onLoadSettings(config: Config): void;
  /** Hands an imported model.json and its weights to the worker. */
  onImportModel: ModelImporter;
  /** What became of the last imported model, or null. */
  importStatus: string | null;
}


function NameInput({ run, onRename }: { run: RunRecord; onRename(name: string): void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    const name = cleanRunName(draft ?? '');
    if (draft !== null && name && name !== run.name) onRename(name);
    setDraft(null);
  };
  return (
    <input
      type="text"
      aria-label="Run name"
      value={draft ?? run.name}
      maxLength={80}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
        if (event.key === 'Escape') setDraft(null);
      }}
    />
  );
}

/** How two kept runs differ: their settings, then their final numbers. */
function Comparison({ a, b }: { a: RunRecord; b: RunRecord }) {
  const settings = configDiff(runConfig(a), runConfig(b));
  const last = (run: RunRecord) => run.epochs.at(-1);
  const [x, y] = [last(a), last(b)];
  return (
    <div className="runs-compare" role="status">
      <h3>{a.name} against {b.name}</h3>
      <p>
        {settings.length ? `${b.name} differs in ${settings.join(', ')}.` : 'Same settings.'}
      </p>
      {x && y ? (
        <p>
          Loss {threeDigits(x.trainLoss)} → {threeDigits(y.trainLoss)}; train acc {threeDigits(x.trainAccuracy)} →{' '}
          {threeDigits(y.trainAccuracy)} ({pointsChange(y.trainAccuracy - x.trainAccuracy)}); test acc{' '}
          {threeDigits(x.testAccuracy)} → {threeDigits(y.testAccuracy)} ({pointsChange(y.testAccuracy - x.testAccuracy)}).
        </p>
      ) : <p>One of them ended before its first epoch: no final numbers to compare.</p>}
    </div>
  );
}

/** "Runs": every kept run, to name, show on the chart, compare, load or delete. */
export function RunsSection({ runs, locked, onLoadSettings, onImportModel, importStatus }: RunsSectionProps) {
  const [confirmClear, setConfirmClear] = useState(false);
  const importId = useId();
  // Parsed once per list, not at every frame of a run.
  const described = useMemo(() => new Map(runs.runs.map((run) => {
    const config = runConfig(run);
    return [run.id, { config, differs: diffFromBook(config) }];
  })), [runs.runs]);
  const compared = runs.compared.map((id) => runs.runs.find((run) => run.id === id)).filter((run) => run !== undefined);
  return (
    <section className="panel runs" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <p className="panel-help">
        Every run that ends is kept in this browser, with its curves and, for the newest, its weights. Tick up to six to
        draw them on the chart, or two to compare them.
      </p>
      {runs.problem && (
        <div role="alert" className="runs-problem">
          <p>{runs.problem}</p>
          <button type="button" onClick={runs.dismissProblem}>Dismiss</button>
        </div>
      )}
      {runs.runs.length === 0 ? (
        <p className="panel-help" role="status">No runs kept yet: each run you train appears here when it ends.</p>
      ) : (
        <div className="table-scroll">
          <table className="runs-table">
            <caption className="visually-hidden">Runs</caption>
            <thead>
              <tr>
                <th scope="col">Chart</th>
                <th scope="col">Compare</th>
                <th scope="col">Name</th>
                <th scope="col">When</th>
                <th scope="col">Differs from the book</th>
                <th scope="col">Dataset</th>
                <th scope="col">Backend</th>
                <th scope="col" className="num">Epochs</th>
                <th scope="col" className="num">Loss</th>
                <th scope="col" className="num">Train acc</th>
                <th scope="col" className="num">Test acc</th>
                <th scope="col" className="num">Seconds</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {runs.runs.map((run) => {
                const last = run.epochs.at(-1);
                const position = runs.shown.indexOf(run.id);
                const { config, differs } = described.get(run.id)!;
                return (
                  <tr key={run.id} data-run={run.id}>
                    <td>
                      <label className="run-check" style={position >= 0 ? { borderColor: overlayColour(position) } : undefined}>
                        <input
                          type="checkbox" checked={position >= 0} disabled={position < 0 && allShown(runs.shown)}
                          onChange={(event) => runs.show(run.id, event.target.checked)}
                        />
                        <span>Show on chart</span><span className="visually-hidden"> {run.name}</span>
                      </label>
                    </td>
                    <td>
                      <label className="run-check">
                        <input
                          type="checkbox" checked={runs.compared.includes(run.id)}
                          onChange={(event) => runs.compare(run.id, event.target.checked)}
                        />
                        <span>Compare</span><span className="visually-hidden"> {run.name}</span>
                      </label>
                    </td>
                    <th scope="row"><NameInput run={run} onRename={(name) => void runs.rename(run.id, name)} /></th>
                    <td>{dateTime(run.startedAt)}</td>
                    <td>{differs}</td>
                    <td>{DATASET_INFO[config.dataset].label}</td>
                    <td>{run.backend}</td>
                    <td className="num">{run.epochs.length}{run.end !== 'done' ? ` (${run.end})` : ''}</td>
                    <td className="num">{last ? threeDigits(last.trainLoss) : '–'}</td>
                    <td className="num">{last ? threeDigits(last.trainAccuracy) : '–'}</td>
                    <td className="num">{last ? threeDigits(last.testAccuracy) : '–'}</td>
                    <td className="num">{oneDigit(run.seconds)}</td>
                    <td className="run-actions">
                      <button type="button" disabled={locked} onClick={() => onLoadSettings(config)}>
                        Load settings<span className="visually-hidden"> of {run.name}</span>
                      </button>
                      <button type="button" onClick={() => void runs.download(run)}>Download {run.name}</button>
                      <button type="button" onClick={() => void runs.remove(run.id)}>Delete {run.name}</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {compared.length === 2 && <Comparison a={compared[0]} b={compared[1]} />}
      <div className="runs-import">
        <label htmlFor={importId}>Import</label>
        <input
          id={importId}
          type="file"
          multiple
          accept=".json,.bin,application/json,application/octet-stream"
          disabled={locked}
          aria-describedby={`${importId}-help`}
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            if (files.length) void runs.importFiles(files, onImportModel);
          }}
        />
        <p id={`${importId}-help`} className="field-help">
          A run file downloaded here (.json), or a tfjs model: model.json with its weights file, to evaluate on the test
          images and look inside.
        </p>
        {importStatus && <p className="field-note" role="status">{importStatus}</p>}
      </div>
      {runs.runs.length > 0 && (
        <div className="runs-clear">
          {confirmClear ? (
            <>
              <span>Delete all {runs.runs.length} kept runs? This cannot be undone.</span>
              <button type="button" onClick={() => { void runs.clear(); setConfirmClear(false); }}>Yes, delete all runs</button>
              <button type="button" onClick={() => setConfirmClear(false)}>Keep them</button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirmClear(true)}>Clear all runs</button>
          )}
        </div>
      )}
    </section>
  );
}
