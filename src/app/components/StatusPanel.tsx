import { phaseText, type RunState } from '../runState';

export interface StatusPanelProps {
  state: Pick<RunState, 'phase' | 'backend'>;
}

/**
 * The one polite live region: phase and backend only, which change a few
 * times per run. Fast-changing numbers live in ProgressPanel, outside it.
 */
export function StatusPanel({ state }: StatusPanelProps) {
  const { backend: inUse } = state;
  const backend = inUse
    ? `Backend: ${inUse.name}${inUse.note !== null ? ` (${inUse.note})` : ''} · ${inUse.details}`
    : 'Backend: chosen when training starts';
  return (
    <div role="status" aria-live="polite" className="status">
      <span className={`phase phase-${state.phase}`}>{phaseText(state.phase)}</span>
      <span className="status-sep"> · </span>
      <span className="status-backend">{backend}</span>
    </div>
  );
}
