import type { Exports } from '../export/useExports';

export interface ExportButtonsProps {
  exports: Exports;
}

/** Take the run away: its numbers and its trained model. */
export function ExportButtons({ exports }: ExportButtonsProps) {
  return (
    <div className="export-buttons">
      <button type="button" disabled={!exports.canExportMetrics} onClick={exports.exportMetrics}>Export metrics (CSV)</button>
      <button type="button" disabled={!exports.canExportModel} onClick={() => void exports.exportModel()}>Export model</button>
      <p className="panel-help" role="status">{exports.message}</p>
    </div>
  );
}
