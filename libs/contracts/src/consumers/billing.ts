import { userDeactivatedV1, userRegisteredV1, userUpdatedV1 } from '../events/users.js';
import { declareConsumer, reads } from './declare-consumer.js';

const userSnapshot = ['userId', 'email', 'fullName', 'role', 'isActive'] as const;

/** What billing consumes (apps/billing/src/events). */
export const billingConsumers = {
  projectUsers: declareConsumer({
    service: 'billing',
    name: 'billing-project-users',
    stream: 'users',
    summary: "Keeps billing's copy of the users it needs (billing_users): e-mail, name, role, active.",
    reads: [reads(userRegisteredV1, userSnapshot), reads(userUpdatedV1, userSnapshot), reads(userDeactivatedV1, ['userId'])],
  }),
};
