import type { ServiceContext, ServiceDeps } from '@platform/service-kit';
import { notificationReads } from './data/notification-reads.js';
import type * as schema from './data/schema.js';

/** What notifications builds once for its routes and use cases (besides the service context): the prepared hot reads. */
export function notificationsDeps(ctx: ServiceContext<typeof schema>) {
  return {
    /** The in-app list, one prepared round trip per page. */
    notificationReads: notificationReads(ctx.db),
  };
}

/**
 * The one `deps` of the notifications service: the service context (db, logger, config,
 * availability...) plus `notificationsDeps`. Use cases take the part they need (`Pick<NotificationsDeps, 'db'>`).
 */
export type NotificationsDeps = ServiceDeps<typeof schema, ReturnType<typeof notificationsDeps>>;
