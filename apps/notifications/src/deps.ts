import type { ServiceDeps } from '@platform/service-kit';
import type * as schema from './data/schema.js';

/**
 * The one `deps` of the notifications service: the service context (db, logger, config,
 * availability...). Use cases take the part they need (`Pick<NotificationsDeps, 'db'>`).
 */
export type NotificationsDeps = ServiceDeps<typeof schema>;
