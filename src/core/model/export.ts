/**
 * A trained model as the two files of tfjs's own format (model.json and its
 * weights), made by tfjs's IO (model.save through a save handler), so it
 * loads in any tfjs program with tf.loadLayersModel, and opens in Netron.
 */
import * as tf from '@tensorflow/tfjs';
import { WEIGHTS_FILE, type ModelFiles } from './modelFiles';

export async function exportModel(model: tf.LayersModel): Promise<ModelFiles> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const artifacts = saved as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('tfjs saved no topology or weights');
  }
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs }],
  };
  return { modelJson: JSON.stringify(json), weights: tf.io.CompositeArrayBuffer.join(artifacts.weightData) };
}
