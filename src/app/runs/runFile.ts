/**
 * A whole run as one JSON file, to take away and to import again: the run's
 * record (settings, metrics, curves) and, when the browser kept them, its
 * weights in tfjs's format (model.json's text and the weights as base64).
 * Reading one back trusts nothing: the record goes through the store's
 * schema, the weights must be as long as their manifest says.
 */
import { ARCH_LIMITS } from '../../core/config/arch';
import { MAX_MODEL_JSON_CHARS } from '../../core/model/modelImport';
import { validateRunRecord, type RunRecord, type RunWeights } from './runRecord';

export const RUN_FILE_FORMAT = 'lenet-playground-run';
const RUN_FILE_VERSION = 1;
/** 5 million float32 parameters, the editor's limit. */
const MAX_WEIGHT_BYTES = ARCH_LIMITS.parameters * 4;

function toBase64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let text = '';
  // In slices: String.fromCharCode(...all) overflows the stack for megabytes.
  for (let i = 0; i < view.length; i += 0x8000) text += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): ArrayBuffer | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  } catch {
    return null;
  }
}

export function runFileText(record: RunRecord, weights: RunWeights | null): string {
  return JSON.stringify({
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    run: { ...record, hasWeights: weights !== null },
    weights: weights && { modelJson: weights.modelJson, weightsBase64: toBase64(weights.weights) },
  });
}

/** Far more than any run file or model of the editor's networks (5 million parameters are 20 MB, 27 as base64). */
export const MAX_IMPORT_BYTES = 100 * 1024 ** 2;

/** Why these files are too big to read at all, naming the first; null when none is. */
export function importSizeProblem(files: readonly { name: string; size: number }[]): string | null {
  const tooBig = files.find((file) => file.size > MAX_IMPORT_BYTES);
  return tooBig
    ? `${tooBig.name}: ${Math.round(tooBig.size / 1024 ** 2)} MB is far more than any run or model of this playground; nothing was imported.`
    : null;
}

/** File names of a run: letters, digits and dashes from its name. */
export function runFileName(record: Pick<RunRecord, 'name'>): string {
  const stem = record.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `lenet-run-${stem || 'unnamed'}.json`;
}

/** Whether parsed JSON claims to be a run file (then it must be a valid one). */
export function isRunFile(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === RUN_FILE_FORMAT;
}

/** The bytes a tfjs weights manifest asks for, or null when it is not one. */
function manifestBytes(modelJson: string): number | null {
  try {
    const manifest = (JSON.parse(modelJson) as { weightsManifest?: unknown }).weightsManifest;
    if (!Array.isArray(manifest)) return null;
    let bytes = 0;
    for (const group of manifest) {
      const weights = (group as { weights?: unknown })?.weights;
      if (!Array.isArray(weights)) return null;
      for (const weight of weights) {
        const { shape, dtype } = (weight ?? {}) as { shape?: unknown; dtype?: unknown };
        if (dtype !== 'float32' || !Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
        bytes += 4 * (shape as number[]).reduce((product, n) => product * n, 1);
      }
    }
    return bytes;
  } catch {
    return null;
  }
}

/** A run file's record and weights, or what is wrong with it, naming the file. */
export function readRunFile(value: unknown, fileName: string): { record: RunRecord; weights: RunWeights | null } | { problem: string } {
  const file = value as { version?: unknown; run?: unknown; weights?: unknown };
  if (file.version !== RUN_FILE_VERSION) return { problem: `${fileName}: a run file of another version; this playground reads version ${RUN_FILE_VERSION}` };
  const checked = validateRunRecord({ ...(typeof file.run === 'object' ? file.run : {}), hasWeights: false });
  if ('problem' in checked) return { problem: `${fileName}: ${checked.problem}` };
  if (file.weights === null || file.weights === undefined) return { record: checked.record, weights: null };
  const { modelJson, weightsBase64 } = file.weights as { modelJson?: unknown; weightsBase64?: unknown };
  if (typeof modelJson !== 'string' || typeof weightsBase64 !== 'string' || modelJson.length > MAX_MODEL_JSON_CHARS ||
    weightsBase64.length > (MAX_WEIGHT_BYTES * 4) / 3 + 4) {
    return { problem: `${fileName}: its weights are not a tfjs model of this playground's size` };
  }
  const weights = fromBase64(weightsBase64);
  const expected = manifestBytes(modelJson);
  if (weights === null || expected === null || expected !== weights.byteLength) {
    return { problem: `${fileName}: its weights do not match their own manifest` };
  }
  return { record: checked.record, weights: { modelJson, weights } };
}
