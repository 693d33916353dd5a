import {
  PARAMS, PRESET_INFO, presetConfig, type Config, type PresetName,
} from '../../core/config/params';
import { ParamField, type ParamValue } from './ParamField';

export interface ControlsPanelProps {
  config: Config;
  /** True while a run is active: every control is disabled. */
  locked: boolean;
  onChange(next: Config): void;
}

export const LOCKED_REASON =
  'Settings are locked while training. Stop or wait for the run to finish to change them.';

/** Every entry of PARAMS as a control, in PARAMS order. */
export function ControlsPanel({ config, locked, onChange }: ControlsPanelProps) {
  function change(key: keyof Config, value: ParamValue) {
    if (key === 'preset') {
      // A preset is a fresh starting point, but where the user runs it and on
      // how much data stay as they chose.
      const preset = presetConfig(value as PresetName);
      onChange({ ...preset, backend: config.backend, train: config.train, test: config.test });
    } else {
      onChange({ ...config, [key]: value } as Config);
    }
  }

  return (
    <section className="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Settings</h2>
      {locked && (
        <p id="controls-locked" className="locked-reason">{LOCKED_REASON}</p>
      )}
      <fieldset disabled={locked} aria-describedby={locked ? 'controls-locked' : undefined}>
        <legend className="visually-hidden">Hyperparameters</legend>
        {PARAMS.map((param) => (
          <ParamField
            key={param.key}
            param={param}
            value={config[param.key]}
            disabled={locked}
            note={param.key === 'preset' ? PRESET_INFO[config.preset].description : undefined}
            onChange={(value) => change(param.key, value)}
          />
        ))}
      </fieldset>
    </section>
  );
}
