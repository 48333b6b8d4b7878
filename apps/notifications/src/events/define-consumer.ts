import type { EventContract } from '@platform/contracts';
import type { ConsumerOptions } from '@platform/messaging';
import type { ConsumerDefinition } from '@platform/service-kit';

/**
 * createService takes consumers of any contract; this keeps each handler typed by its own
 * contracts (`event.data` of the union) and erases the type only at the boundary.
 */
export function defineConsumer<C extends EventContract>(
  definition: Pick<ConsumerOptions<C>, 'name' | 'stream' | 'contracts' | 'handler' | 'maxAttempts' | 'backoffMs'>,
): ConsumerDefinition {
  return definition as unknown as ConsumerDefinition;
}
