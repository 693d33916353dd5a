import { Fragment } from 'react';
import { ARCH_LIMITS, CONV_FIELDS, POOL_FIELDS, UNITS_FIELD, type Range } from '../../core/config/arch';
import {
  addConvBlock, addDenseLayer, canAddConv, canAddDense, canRemoveConv, removeConvBlock, removeDenseLayer,
  withConvField, withPoolField, withPooling, withUnits,
} from '../../core/config/edits';
import type { Config } from '../../core/config/params';
import { NUM_CLASSES } from '../../core/model/architecture';
import { integer } from '../format';
import { NumberInput } from './ParamField';
import { LOCKED_REASON } from './ControlsPanel';

export interface ArchitectureEditorProps {
  config: Config;
  locked: boolean;
  onChange(next: Config): void;
}

const LIMITS_TEXT =
  `${ARCH_LIMITS.convBlocks.min}–${ARCH_LIMITS.convBlocks.max} convolution blocks, each with an optional pooling layer, ` +
  `then ${ARCH_LIMITS.denseLayers.min}–${ARCH_LIMITS.denseLayers.max} hidden dense layers; ` +
  `filters ${ARCH_LIMITS.filters.min}–${ARCH_LIMITS.filters.max}, kernel ${ARCH_LIMITS.kernel.min}–${ARCH_LIMITS.kernel.max}, ` +
  `stride ${ARCH_LIMITS.stride.min}–${ARCH_LIMITS.stride.max}, units ${ARCH_LIMITS.units.min}–${ARCH_LIMITS.units.max}; ` +
  'a pool padded by at most half its window; ' +
  `at most ${integer(ARCH_LIMITS.parameters)} parameters.`;

interface LayerNumberProps {
  id: string;
  label: string;
  range: Range;
  value: number;
  disabled: boolean;
  onChange(value: number): void;
}

function LayerNumber({ id, label, range, value, disabled, onChange }: LayerNumberProps) {
  return (
    <div className="field field-number">
      <label htmlFor={id}>{label}</label>
      <NumberInput
        id={id} spec={{ name: id, integer: true, min: range.min, max: range.max, step: 1 }} value={value}
        disabled={disabled} describedBy="arch-limits" onChange={onChange}
      />
    </div>
  );
}

/** The layers as groups of labelled numbers, one group per layer; every edit is a pure function of core/config/edits. */
export function ArchitectureEditor({ config, locked, onChange }: ArchitectureEditorProps) {
  const { convs, dense } = config.arch;
  return (
    <div className="architecture-editor">
      <p id="arch-limits" className="panel-help">
        {LIMITS_TEXT} Activation, initializer and pooling type are in Settings; the Layers table follows every change.
      </p>
      {locked && <p className="locked-reason">{LOCKED_REASON}</p>}
      <fieldset disabled={locked} className="arch-fieldset">
        <legend className="visually-hidden">Layers</legend>
        <div className="arch-layers">
          {convs.map((conv, i) => {
            const conv_ = `conv${i + 1}`;
            const pool = `pool${i + 1}`;
            return (
              <Fragment key={conv_}>
                <fieldset className="arch-layer">
                  <legend>{conv_}</legend>
                  <div className="arch-fields">
                    {CONV_FIELDS.map((field) => (
                      <LayerNumber
                        key={field.key} id={`arch-${conv_}-${field.key}`} label={field.label} range={field.range}
                        value={conv[field.key]} disabled={locked}
                        onChange={(value) => onChange(withConvField(config, i, field.key, value))}
                      />
                    ))}
                  </div>
                  <div className="arch-actions">
                    {!conv.pool && (
                      <button type="button" onClick={() => onChange(withPooling(config, i, true))}>Add pooling after {conv_}</button>
                    )}
                    {canRemoveConv(config) && (
                      <button type="button" onClick={() => onChange(removeConvBlock(config, i))}>Remove {conv_}</button>
                    )}
                  </div>
                </fieldset>
                {conv.pool && (
                  <fieldset className="arch-layer arch-pool">
                    <legend>{pool}</legend>
                    <div className="arch-fields">
                      {POOL_FIELDS.map((field) => (
                        <LayerNumber
                          key={field.key} id={`arch-${pool}-${field.key}`} label={field.label} range={field.range}
                          value={conv.pool![field.key]} disabled={locked}
                          onChange={(value) => onChange(withPoolField(config, i, field.key, value))}
                        />
                      ))}
                    </div>
                    <div className="arch-actions">
                      <button type="button" onClick={() => onChange(withPooling(config, i, false))}>Remove {pool}</button>
                    </div>
                  </fieldset>
                )}
              </Fragment>
            );
          })}
          {dense.map((units, i) => {
            const name = `dense${i + 1}`;
            return (
              <fieldset className="arch-layer arch-dense" key={name}>
                <legend>{name}</legend>
                <div className="arch-fields">
                  <LayerNumber
                    id={`arch-${name}-units`} label={UNITS_FIELD.label} range={UNITS_FIELD.range} value={units} disabled={locked}
                    onChange={(value) => onChange(withUnits(config, i, value))}
                  />
                </div>
                <div className="arch-actions">
                  <button type="button" onClick={() => onChange(removeDenseLayer(config, i))}>Remove {name}</button>
                </div>
              </fieldset>
            );
          })}
          <p className="arch-output">output: {NUM_CLASSES} units, one per class</p>
        </div>
        <div className="arch-add">
          <button type="button" disabled={!canAddConv(config)} onClick={() => onChange(addConvBlock(config))}>Add convolution block</button>
          <button type="button" disabled={!canAddDense(config)} onClick={() => onChange(addDenseLayer(config))}>Add dense layer</button>
        </div>
      </fieldset>
    </div>
  );
}
