/** The two files of tfjs's model format, as the app saves them (no tfjs here: the page imports this). */

/** The weights file's name, as model.json's manifest points to it. */
export const WEIGHTS_FILE = 'model.weights.bin';
export const MODEL_FILE = 'model.json';

export interface ModelFiles {
  /** model.json's text. */
  modelJson: string;
  /** The weights, in the order model.json's manifest lists them. */
  weights: ArrayBuffer;
}
