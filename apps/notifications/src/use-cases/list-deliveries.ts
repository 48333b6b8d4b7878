import type { Page } from '@platform/db-kit';
import { deliveriesRepository, type DeliveryStatus } from '../data/deliveries-repository.js';
import type { DeliveryRow } from '../data/schema.js';
import type { NotificationsDeps } from '../deps.js';

/** E-mail deliveries for operators, newest first, by user and status (the route lets admins only). */
export function listDeliveries(
  { db }: Pick<NotificationsDeps, 'db'>,
  query: { page: number; pageSize: number; userId?: string; status?: DeliveryStatus },
): Promise<Page<DeliveryRow>> {
  return deliveriesRepository(db).list(query);
}
