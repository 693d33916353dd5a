import { Fragment } from 'react';
import { withPreset } from '../../core/config/edits';
import { PARAMS, PRESET_INFO, type Config, type PresetName } from '../../core/config/params';
import type { OwnFilesState } from '../runState';
import { OwnFilesPicker } from './OwnFilesPicker';
import { ParamField, type ParamValue } from './ParamField';

export interface ControlsPanelProps {
  config: Config;
  /** True while a run is active: every control is disabled. */
  locked: boolean;
  onChange(next: Config): void;
  ownFiles: OwnFilesState;
  onOwnFiles(files: File[]): void;
}

export const LOCKED_REASON =
  'Settings are locked while training. Stop or wait for the run to finish to change them.';

/** Every number and choice of PARAMS as a control, in PARAMS order; the layers have their own section. */
export function ControlsPanel({ config, locked, onChange, ownFiles, onOwnFiles }: ControlsPanelProps) {
  function change(key: keyof Config, value: ParamValue) {
    onChange(key === 'preset' ? withPreset(config, value as PresetName) : { ...config, [key]: value } as Config);
  }

  return (
    <section className="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Settings</h2>
      {locked && (
        <p id="controls-locked" className="locked-reason">{LOCKED_REASON}</p>
      )}
      <fieldset disabled={locked} aria-describedby={locked ? 'controls-locked' : undefined}>
        <legend className="visually-hidden">Hyperparameters</legend>
        {PARAMS.map((param) => param.kind !== 'layers' && (
          <Fragment key={param.key}>
            <ParamField
              param={param}
              value={config[param.key] as ParamValue}
              disabled={locked}
              note={param.key === 'preset' ? PRESET_INFO[config.preset].description : undefined}
              onChange={(value) => change(param.key, value)}
            />
            {param.key === 'dataset' && config.dataset === 'own' && (
              <OwnFilesPicker state={ownFiles} disabled={locked} onFiles={onOwnFiles} />
            )}
          </Fragment>
        ))}
      </fieldset>
    </section>
  );
}
