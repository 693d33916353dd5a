import type { Config } from '../../core/config/params';
import type { LayerTable as Table } from '../../core/model/architecture';
import { ArchitectureEditor } from './ArchitectureEditor';
import { LayerTable } from './LayerTable';

export interface ArchitectureSectionProps {
  config: Config;
  table: Table;
  locked: boolean;
  onChange(next: Config): void;
}

/** "Architecture": the editor beside the Layers table it drives. */
export function ArchitectureSection({ config, table, locked, onChange }: ArchitectureSectionProps) {
  return (
    <section className="panel architecture" aria-labelledby="architecture-title">
      <h2 id="architecture-title">Architecture</h2>
      <div className="architecture-layout">
        <ArchitectureEditor config={config} locked={locked} onChange={onChange} />
        <LayerTable table={table} />
      </div>
    </section>
  );
}
