import { useId, useState, type DragEvent } from 'react';
import { integer } from '../format';
import type { OwnFilesState } from '../runState';

export interface OwnFilesPickerProps {
  state: OwnFilesState;
  disabled: boolean;
  onFiles(files: File[]): void;
}

/**
 * Four IDX files from the learner's disk, by picker or by drop. They are
 * read on this page and checked in the worker; nothing is uploaded, and file
 * names are shown as plain text only.
 */
export function OwnFilesPicker({ state, disabled, onFiles }: OwnFilesPickerProps) {
  const id = useId();
  const [dragging, setDragging] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!disabled && event.dataTransfer.files.length) onFiles([...event.dataTransfer.files]);
  };
  return (
    <div
      className={`own-files${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        if (!disabled) setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
    >
      <label htmlFor={id}>Your four IDX files</label>
      <input
        id={id}
        type="file"
        multiple
        disabled={disabled}
        aria-describedby={`${id}-help`}
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          if (files.length) onFiles(files);
          // Choosing the same files again after fixing one still reads them.
          event.target.value = '';
        }}
      />
      <p id={`${id}-help`} className="field-help">
        Or drop them here: training and test images and labels in IDX format, gzip’d or not (for example the official
        MNIST, KMNIST or EMNIST digit files). 28×28 grayscale images, labels 0–9. They stay on this computer.
      </p>
      <OwnFilesStatus state={state} />
    </div>
  );
}

function OwnFilesStatus({ state }: { state: OwnFilesState }) {
  switch (state.status) {
    case 'none':
      return <p className="field-note" role="status">No files chosen yet: choose four to train on them.</p>;
    case 'checking':
      return <p className="field-note" role="status">Checking {state.names.join(', ')}…</p>;
    case 'ready':
      return (
        <p className="field-note" role="status">
          Ready: {integer(state.trainImages)} training and {integer(state.testImages)} test images from {state.names.join(', ')}.
        </p>
      );
    case 'invalid':
      // Its own element: a status line that turned into an alert in place is not reliably announced.
      return <p key="invalid" className="field-error" role="alert">These files cannot be used: {state.message}</p>;
  }
}
