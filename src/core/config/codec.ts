/**
 * Share links: `?preset=djl&lr=0.5`. decode() never throws and always returns
 * a valid config; everything it had to change or ignore comes back as a
 * problem the page can show. encode() writes only what differs from the
 * preset, in PARAMS order, so links are short and stable.
 */
import {
  PARAMS, presetConfig,
  type ChoiceParam, type Config, type ConfigKey, type NumberParam, type PresetName,
} from './params';
import { formatArch, parseArch, type Architecture } from './arch';
import { networkTable } from '../model/architecture';

export interface Problem {
  /** The URL key, shortened when it is long; plain text, never HTML. */
  key: string;
  message: string;
}

export interface Decoded {
  config: Config;
  problems: Problem[];
}

/** Longest value we look at; anything longer is garbage, not a number. */
const MAX_VALUE_LENGTH = 32;
const MAX_SHOWN_LENGTH = 24;
/** A pasted novel in the URL should not become a thousand notices. */
const MAX_UNKNOWN_KEYS_LISTED = 5;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Controls, format characters (bidi overrides and isolates, zero-width
 * joiners), lone surrogates and line separators: shown as U+FFFD, so a link
 * can neither reorder nor hide the text of a notice, and `lr\u200b` does not
 * pass for `lr`.
 */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** Text from the link (or a file) as it may appear in a notice: printable, short, plain. */
export function shown(text: string): string {
  const clean = Array.from(text.replace(UNSHOWABLE, '\uFFFD'));
  return clean.length > MAX_SHOWN_LENGTH ? `${clean.slice(0, MAX_SHOWN_LENGTH).join('')}…` : clean.join('');
}

/** An unknown key as named in a notice; never empty. */
function shownKey(key: string): string {
  return key === '' ? '(empty key)' : shown(key);
}

function formatNumber(value: number): string {
  return String(value);
}

type ParseResult<T> = { value: T; problem?: string };

function parseNumber(param: NumberParam, raw: string, fallback: number): ParseResult<number> {
  const text = raw.trim();
  if (text.length > MAX_VALUE_LENGTH || !DECIMAL.test(text)) {
    return { value: fallback, problem: `"${shown(raw)}" is not a number; using ${formatNumber(fallback)}` };
  }
  let value = Number(text);
  if (!Number.isFinite(value)) {
    return { value: fallback, problem: `"${shown(raw)}" is too far from 0; using ${formatNumber(fallback)}` };
  }
  // 1e-400 reads as exactly 0: it is not a whole number, however close.
  const underflow = value === 0 && /[1-9]/.test(text.replace(/[eE].*$/, ''));
  let problem: string | undefined;
  if (param.integer && (!Number.isInteger(value) || underflow)) {
    value = Math.round(value);
    problem = `${shown(raw)} is not a whole number; using ${formatNumber(value === 0 ? 0 : value)}`;
  }
  if (value < param.min || value > param.max) {
    const clamped = Math.min(param.max, Math.max(param.min, value));
    problem = `${shown(raw)} is outside ${formatNumber(param.min)}–${formatNumber(param.max)}; using ${formatNumber(clamped)}`;
    value = clamped;
  }
  // -0 and 0 are the same setting; keep links canonical.
  return { value: value === 0 ? 0 : value, problem };
}

function parseChoice(param: ChoiceParam, raw: string, fallback: string): ParseResult<string> {
  const text = raw.trim().toLowerCase();
  if (param.choices.includes(text)) return { value: text };
  return {
    value: fallback,
    problem: `"${shown(raw)}" is not one of ${param.choices.join(', ')}; using ${fallback}`,
  };
}

/** A layer list that parses, stays within the limits and has shapes that work; otherwise the preset's. */
function parseLayers(raw: string, config: Config, fallback: Architecture): ParseResult<Architecture> {
  const instead = `using the ${config.preset} preset's layers`;
  const parsed = parseArch(raw, shown);
  if (parsed.problem !== undefined) return { value: fallback, problem: `${parsed.problem}; ${instead}` };
  const cannot = networkTable({ ...config, arch: parsed.arch }).problems[0];
  if (cannot) return { value: fallback, problem: `${cannot}; ${instead}` };
  return { value: parsed.arch };
}

function parseValue(key: ConfigKey, raw: string, base: Config): ParseResult<Config[ConfigKey]> {
  const param = PARAMS.find((p) => p.key === key)!;
  switch (param.kind) {
    case 'number':
      return parseNumber(param, raw, base[key] as number);
    case 'choice':
      return parseChoice(param, raw, base[key] as string) as ParseResult<Config[ConfigKey]>;
    case 'layers':
      return parseLayers(raw, base, base[key] as Architecture);
  }
}

/** How a value is written in a link. */
export function written(value: Config[ConfigKey]): string {
  if (typeof value === 'number') return formatNumber(value);
  return typeof value === 'string' ? value : formatArch(value);
}

function isConfigKey(key: string): key is ConfigKey {
  return PARAMS.some((p) => p.key === key);
}

export function decode(query: string): Decoded {
  const problems: Problem[] = [];
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  } catch {
    params = new URLSearchParams();
    problems.push({ key: 'link', message: 'the link could not be read; using the defaults' });
  }

  const values = new Map<ConfigKey, string[]>();
  // Keyed by how the key is shown, so two keys that look the same make one notice.
  const unknown = new Map<string, string>();
  for (const [key, value] of params) {
    if (isConfigKey(key)) {
      const list = values.get(key);
      if (list) list.push(value);
      else values.set(key, [value]);
    } else {
      const name = shownKey(key);
      if (!unknown.has(name)) unknown.set(name, key);
    }
  }

  // The preset comes first: every other value is applied on top of it.
  let preset: PresetName = 'd2l';
  const presetRaw = values.get('preset');
  if (presetRaw) {
    const parsed = parseValue('preset', presetRaw[0], presetConfig('d2l'));
    preset = parsed.value as PresetName;
    if (parsed.problem) problems.push({ key: 'preset', message: parsed.problem });
  }
  const config = presetConfig(preset);

  for (const param of PARAMS) {
    const raws = values.get(param.key);
    if (!raws) continue;
    if (raws.length > 1) {
      problems.push({ key: param.key, message: `appears ${raws.length} times; using the first` });
    }
    if (param.key === 'preset') continue;
    const parsed = parseValue(param.key, raws[0], config);
    (config as unknown as Record<ConfigKey, Config[ConfigKey]>)[param.key] = parsed.value;
    if (parsed.problem) problems.push({ key: param.key, message: parsed.problem });
  }

  const unknownKeys = [...unknown];
  for (const [name, key] of unknownKeys.slice(0, MAX_UNKNOWN_KEYS_LISTED)) {
    const meant = key.trim().toLowerCase();
    problems.push({
      key: name,
      message: isConfigKey(meant)
        ? `is not a setting of this playground (keys are lower case: did you mean ${meant}?); ignored`
        : 'is not a setting of this playground; ignored',
    });
  }
  if (unknownKeys.length > MAX_UNKNOWN_KEYS_LISTED) {
    problems.push({
      key: 'link',
      message: `${unknownKeys.length - MAX_UNKNOWN_KEYS_LISTED} more unknown keys ignored`,
    });
  }
  return { config, problems };
}

export function encode(config: Config): string {
  const base = presetConfig(config.preset);
  const params = new URLSearchParams();
  for (const param of PARAMS) {
    const value = written(config[param.key]);
    if (param.key === 'preset' ? value !== 'd2l' : value !== written(base[param.key])) params.set(param.key, value);
  }
  return params.toString();
}

/** True when a value is exactly what decode() could return for its key. */
export function isValidValue(key: ConfigKey, value: unknown): boolean {
  const param = PARAMS.find((p) => p.key === key)!;
  if (param.kind === 'layers') {
    try {
      const text = formatArch(value as Architecture);
      const parsed = parseLayers(text, presetConfig('d2l'), presetConfig('d2l').arch);
      return parsed.problem === undefined && formatArch(parsed.value) === text;
    } catch {
      return false;
    }
  }
  if (param.kind === 'choice') return typeof value === 'string' && param.choices.includes(value);
  return (
    typeof value === 'number' && Number.isFinite(value) && value >= param.min && value <= param.max &&
    (!param.integer || Number.isInteger(value))
  );
}
