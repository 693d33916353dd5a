import type { ImagesReply, UnavailableReply } from '../../../worker/protocol';
import type { MistakeFilter } from '../../inspect/useInspector';
import type { ClassNames, Thumb } from '../../inspect/views';
import { ThumbnailGrid } from './Thumbnails';

export interface MistakesViewProps {
  reply: ImagesReply | UnavailableReply | null;
  classNames: ClassNames;
  /** Why there can be nothing yet (no model), or null. */
  noModel: string | null;
  filter: MistakeFilter;
  onFilterChange(filter: MistakeFilter): void;
  onPick(thumb: Thumb): void;
}

interface ClassSelectProps {
  id: string;
  label: string;
  classNames: ClassNames;
  value: number | null;
  onChange(value: number | null): void;
}

function ClassSelect({ id, label, classNames, value, onChange }: ClassSelectProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}>
        <option value="">Any class</option>
        {classNames.map((name, label) => <option key={name} value={label}>{name}</option>)}
      </select>
    </div>
  );
}

/** The test images the model gets most confidently wrong, after the latest epoch. */
export function MistakesView({ reply, classNames, noModel, filter, onFilterChange, onPick }: MistakesViewProps) {
  const images = reply?.type === 'images' ? reply : null;
  return (
    <section className="panel inspect" aria-labelledby="mistakes-title">
      <h2 id="mistakes-title">Mistakes</h2>
      <p className="panel-help">
        The test images the model gets wrong while most sure of itself, most confident first; each is named with its
        true class, the prediction and the confidence. Click one to see its feature maps.
      </p>
      <div className="filters">
        <ClassSelect classNames={classNames} id="mistakes-true" label="True class" value={filter.trueClass}
          onChange={(trueClass) => onFilterChange({ ...filter, trueClass })} />
        <ClassSelect classNames={classNames} id="mistakes-predicted" label="Predicted class" value={filter.predictedClass}
          onChange={(predictedClass) => onFilterChange({ ...filter, predictedClass })} />
      </div>
      {images && (
        <p className="panel-help">
          {images.total} wrong {images.total === 1 ? 'answer' : 'answers'} match; the first {images.indices.length} are shown.
        </p>
      )}
      <ThumbnailGrid
        classNames={classNames}
        reply={noModel ? { type: 'unavailable', message: 'Train to see the mistakes: they come from each epoch’s test pass.' } : reply}
        waiting="The mistakes appear after the first epoch’s test pass."
        empty="No mistakes match these classes."
        onPick={onPick}
      />
    </section>
  );
}
