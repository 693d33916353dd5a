import type { ImagesReply, UnavailableReply } from '../../../worker/protocol';
import { classLabel, thumbnailName, thumbs, type ClassNames, type Thumb } from '../../inspect/views';
import { Heatmap } from './Heatmap';

export interface ThumbnailProps {
  thumb: Thumb;
  classNames: ClassNames;
  onPick(thumb: Thumb): void;
}

/** One dataset image as a button: clicking it shows it in Feature maps. Named by its class (and prediction, when known). */
export function Thumbnail({ thumb, classNames, onPick }: ThumbnailProps) {
  const name = thumb.predicted === null || thumb.confidence === null
    ? classLabel(classNames, thumb.label)
    : thumbnailName(classNames, thumb.label, thumb.predicted, thumb.confidence);
  return (
    <button type="button" className="thumb" onClick={() => onPick(thumb)} title={`${name}: show in Feature maps`}>
      <Heatmap values={thumb.pixels} width={28} height={28} range={[0, 255]} colormap="gray" label={name} pixelSize={2} />
    </button>
  );
}

export interface ThumbnailGridProps {
  reply: ImagesReply | UnavailableReply | null;
  classNames: ClassNames;
  /** Shown until a reply comes. */
  waiting: string;
  /** Shown when the reply holds no image. */
  empty: string;
  onPick(thumb: Thumb): void;
}

/** A reply's images, or what to do when there are none. */
export function ThumbnailGrid({ reply, classNames, waiting, empty, onPick }: ThumbnailGridProps) {
  if (!reply) return <p className="panel-help" role="status">{waiting}</p>;
  if (reply.type === 'unavailable') return <p className="panel-help" role="status">{reply.message}</p>;
  const list = thumbs(reply);
  if (list.length === 0) return <p className="panel-help" role="status">{empty}</p>;
  return (
    <ul className="thumb-grid">
      {list.map((thumb) => (
        <li key={thumb.key}>
          <Thumbnail thumb={thumb} classNames={classNames} onPick={onPick} />
        </li>
      ))}
    </ul>
  );
}
