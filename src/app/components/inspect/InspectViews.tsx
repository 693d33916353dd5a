import type { EpochEvent } from '../../../core/train/events';
import { choiceOf, type Inspector } from '../../inspect/useInspector';
import { DATASET_INFO, type DatasetName } from '../../../core/data/datasets';
import { classLabel, type Thumb } from '../../inspect/views';
import { ConfusionView } from './ConfusionView';
import { DatasetView } from './DatasetView';
import { DrawView } from './DrawView';
import { FEATURE_MAPS_TITLE_ID, FeatureMapsView, type FeatureMapsColumn } from './FeatureMapsView';
import { MistakesView } from './MistakesView';

export interface InspectViewsProps {
  inspector: Inspector;
  epochRows: EpochEvent[];
  /** The test pass of an imported model, shown when there are no epochs. */
  importedConfusion: number[] | null;
  /** The chosen dataset, which the Dataset view shows. */
  dataset: DatasetName;
}

/** "See what the network learned": the data, the test pass, the mistakes, the feature maps and a drawing pad. */
export function InspectViews({ inspector, epochRows, importedConfusion, dataset }: InspectViewsProps) {
  const { samples, classNames, drawSubject, testSamples, cell, mistakes, featureMaps, draw, noModel } = inspector;
  const latest = epochRows.at(-1) ?? null;
  const previous = epochRows.at(-2) ?? null;
  // Where a picked image now shows: bring it into view for the learner.
  const showFeatureMaps = () => document.getElementById(FEATURE_MAPS_TITLE_ID)?.scrollIntoView({ block: 'start' });
  const pick = (thumb: Thumb) => {
    featureMaps.pick(choiceOf(classNames, thumb));
    showFeatureMaps();
  };
  const columns: FeatureMapsColumn[] = [];
  featureMaps.chosen.forEach((choice, i) => {
    if (!choice) return;
    const reply = featureMaps.maps[i];
    columns.push({
      title: choice.title,
      image: choice.pixels,
      activations: reply?.type === 'activations' ? reply : null,
      message: noModel ? 'Train to see the feature maps: they show what each layer computes.'
        : reply?.type === 'unavailable' ? reply.message : null,
    });
  });
  return (
    <div className="inspect-views">
      <DatasetView
        dataset={DATASET_INFO[dataset]}
        samples={samples}
        onPick={(thumb) => {
          featureMaps.pickDatasetImage(thumb);
          showFeatureMaps();
        }}
      />
      <ConfusionView
        classNames={classNames}
        matrix={latest?.confusion ?? importedConfusion}
        previous={previous?.confusion ?? null}
        selected={cell.selected}
        onSelect={cell.select}
        cellImages={cell.reply}
        onPick={pick}
      />
      <MistakesView reply={mistakes.reply} classNames={classNames} noModel={noModel} filter={mistakes.filter} onFilterChange={mistakes.setFilter} onPick={pick} />
      <FeatureMapsView
        columns={columns}
        scaleMode={featureMaps.scaleMode}
        onScaleModeChange={featureMaps.setScaleMode}
        pickTarget={featureMaps.pickTarget}
        onPickTargetChange={featureMaps.setPickTarget}
        onCompareBookPair={featureMaps.compareBookPair}
        onClearSecond={featureMaps.clearSecond}
      />
      <DrawView
        classNames={classNames}
        subject={drawSubject}
        pixels={draw.pixels}
        onDrawingChange={draw.setPixels}
        onClear={draw.clear}
        testImages={testSamples.map((thumb) => ({ index: thumb.index, label: classLabel(classNames, thumb.label) }))}
        onPickTestImage={draw.pickTestImage}
        probabilities={draw.prediction?.type === 'probabilities' ? draw.prediction.probabilities : null}
        message={noModel ? 'Train to see what the network thinks of your drawing.'
          : draw.prediction?.type === 'unavailable' ? draw.prediction.message : null}
        onShowInFeatureMaps={() => {
          draw.showDrawing();
          showFeatureMaps();
        }}
      />
    </div>
  );
}
