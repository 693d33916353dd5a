import { useState, type ChangeEvent } from 'react';
import type { ChoiceParam, NumberParam } from '../../core/config/params';
import { plain } from '../format';

export type ParamValue = string | number;

export interface ParamFieldProps {
  param: NumberParam | ChoiceParam;
  value: ParamValue;
  disabled: boolean;
  /** Extra text shown under the control and read with it (e.g. the preset's description). */
  note?: string;
  onChange(value: ParamValue): void;
}

/** One labelled control for any entry of PARAMS: a select for choices, a number input for numbers. */
export function ParamField({ param, value, disabled, note, onChange }: ParamFieldProps) {
  const id = `param-${param.key}`;
  const helpId = `${id}-help`;
  const noteId = `${id}-note`;
  const describedBy = note ? `${helpId} ${noteId}` : helpId;
  return (
    <div className={`field field-${param.kind}`}>
      <label htmlFor={id}>{param.label}</label>
      {param.kind === 'choice' ? (
        <ChoiceSelect
          id={id} param={param} value={String(value)} disabled={disabled}
          describedBy={describedBy} onChange={onChange}
        />
      ) : (
        <NumberInput
          id={id} spec={{ ...param, name: param.key }} value={Number(value)} disabled={disabled}
          describedBy={describedBy} onChange={onChange}
        />
      )}
      <p id={helpId} className="field-help">{param.help}</p>
      {note && <p id={noteId} className="field-note">{note}</p>}
    </div>
  );
}

interface ChoiceSelectProps {
  id: string;
  param: ChoiceParam;
  value: string;
  disabled: boolean;
  describedBy: string;
  onChange(value: string): void;
}

function ChoiceSelect({ id, param, value, disabled, describedBy, onChange }: ChoiceSelectProps) {
  return (
    <select
      id={id}
      name={param.key}
      value={value}
      disabled={disabled}
      aria-describedby={describedBy}
      onChange={(event) => onChange(event.target.value)}
    >
      {param.choices.map((choice, index) => (
        <option key={choice} value={choice}>{param.choiceLabels[index] ?? choice}</option>
      ))}
    </select>
  );
}

/** What a number input needs to know of its setting. */
export type NumberSpec = Pick<NumberParam, 'integer' | 'min' | 'max' | 'step'> & { name: string };

interface NumberInputProps {
  id: string;
  spec: NumberSpec;
  value: number;
  disabled: boolean;
  describedBy: string;
  onChange(value: number): void;
}


/**
 * The browser steps a number input from its min attribute, so a min of 1e-6
 * with step 0.01 would turn 0.9 into 0.910001. Give it a min on the step grid
 * instead; checkNumber still enforces the real range.
 */
function stepBase(spec: NumberSpec): number {
  return Math.floor(spec.min / spec.step) * spec.step;
}

type Checked = { ok: true; value: number } | { ok: false; message: string };

/** What the typed text means for this parameter: a value to commit, or why not. */
function checkNumber(param: NumberSpec, text: string, badInput = false): Checked {
  const trimmed = text.trim();
  if (badInput || trimmed === '') return { ok: false, message: 'Enter a number.' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, message: 'Enter a number.' };
  if (param.integer && !Number.isInteger(value)) return { ok: false, message: 'Enter a whole number.' };
  if (value < param.min || value > param.max) {
    return { ok: false, message: `Enter a number from ${plain(param.min)} to ${plain(param.max)}.` };
  }
  return { ok: true, value: value === 0 ? 0 : value };
}

/**
 * The text the user types lives here, so a half-typed "0." survives; every
 * valid value is committed at once, an invalid one only shows a message.
 */
export function NumberInput({ id, spec: param, value, disabled, describedBy, onChange }: NumberInputProps) {
  // null: not editing, show the config's value (so preset changes show through).
  const [draft, setDraft] = useState<{ text: string; badInput: boolean } | null>(null);
  const checked = draft === null ? null : checkNumber(param, draft.text, draft.badInput);
  const problem = checked && !checked.ok ? checked.message : null;
  const errorId = `${id}-error`;

  function handleChange(event: ChangeEvent<HTMLInputElement>) {
    const text = event.target.value;
    const badInput = event.target.validity.badInput;
    setDraft({ text, badInput });
    const result = checkNumber(param, text, badInput);
    if (result.ok && result.value !== value) onChange(result.value);
  }

  return (
    <>
      <input
        id={id}
        name={param.name}
        type="number"
        inputMode={param.integer ? 'numeric' : 'decimal'}
        min={stepBase(param)}
        max={param.max}
        step={param.step}
        value={draft === null ? String(value) : draft.text}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${describedBy} ${errorId}` : describedBy}
        onChange={handleChange}
        onBlur={() => setDraft(null)}
      />
      {problem && (
        <p id={errorId} className="field-error">
          {problem} Still using {plain(value)}.
        </p>
      )}
    </>
  );
}
