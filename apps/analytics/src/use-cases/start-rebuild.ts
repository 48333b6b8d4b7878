import type { RebuildRun } from '../data/rebuild-runs.js';
import type { AnalyticsDeps } from '../deps.js';

/** Starts a rebuild in the background (the rebuild worker); one running anywhere → 409. */
export function startRebuild({ rebuilder }: Pick<AnalyticsDeps, 'rebuilder'>, requestedBy: string): Promise<RebuildRun> {
  return rebuilder.run(requestedBy);
}
