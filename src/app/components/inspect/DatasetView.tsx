import type { DatasetInfo } from '../../../core/data/datasets';
import type { ImagesReply, UnavailableReply } from '../../../worker/protocol';
import { thumbs, type Thumb } from '../../inspect/views';
import { Thumbnail } from './Thumbnails';

export interface DatasetViewProps {
  dataset: DatasetInfo;
  samples: ImagesReply | UnavailableReply | null;
  onPick(thumb: Thumb): void;
}

/** Ten training images of every class, one row per class, as soon as the data has loaded. */
export function DatasetView({ dataset, samples, onPick }: DatasetViewProps) {
  const list = samples?.type === 'images' ? thumbs(samples) : [];
  return (
    <section className="panel inspect" aria-labelledby="dataset-title">
      <h2 id="dataset-title">Dataset</h2>
      <p className="panel-help">
        {dataset.label}: {dataset.description} Ten training images of each class; click one to see its feature maps.
      </p>
      {samples?.type === 'unavailable' && <p className="panel-help" role="status">{samples.message}</p>}
      {!samples && <p className="panel-help" role="status">The images appear once the dataset has loaded.</p>}
      {list.length > 0 && (
        <div className="dataset-rows">
          {dataset.classNames.map((name, label) => (
            <div className="dataset-row" key={name}>
              <span className="dataset-class">{name}</span>
              <ul className="thumb-grid" aria-label={name}>
                {list.filter((thumb) => thumb.label === label).map((thumb) => (
                  <li key={thumb.key}>
                    <Thumbnail thumb={thumb} classNames={dataset.classNames} onPick={onPick} />
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
