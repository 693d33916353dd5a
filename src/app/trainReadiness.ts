/** Whether Train can start, as a rule the page and its tests share. */
import type { Config } from '../core/config/params';
import type { LayerTable } from '../core/model/architecture';
import type { OwnFilesState } from './runState';

/** Why Train cannot start with these settings, in words for the learner; null when it can. */
export function trainBlockedReason(config: Config, table: LayerTable, ownFiles: OwnFilesState): string | null {
  if (table.problems.length) return `Train is off: ${table.problems.join('; ')}. Change the Architecture to fix it.`;
  if (config.dataset === 'own' && ownFiles.status !== 'ready') {
    return 'Train is off: choose your four IDX files under Settings, Dataset, to train on them.';
  }
  return null;
}
