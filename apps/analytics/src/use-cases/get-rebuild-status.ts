import type { RebuildRun } from '../data/rebuild-runs.js';
import type { AnalyticsDeps } from '../deps.js';

/** The latest rebuild run (running, succeeded or failed), or null if there was none. */
export function getRebuildStatus({ rebuilder }: Pick<AnalyticsDeps, 'rebuilder'>): Promise<RebuildRun | null> {
  return rebuilder.status();
}
