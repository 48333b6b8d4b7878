import { contractsOf, type ConsumerDeclaration, type DeclaredEvent } from '@platform/contracts';
import type { Tx } from '@platform/db-kit';
import type { ConsumerOptions, HandlerContext } from '@platform/messaging';
import type { ConsumerDefinition } from './create-service.js';

/**
 * A consumer from its declaration in @platform/contracts (name, stream, contracts and the fields
 * it reads): the handler sees only the declared fields, so reading another one does not compile
 * until it is declared. createService takes consumers of any contract; the type is erased only
 * at that boundary (the consumer validates each message against its contract first).
 */
export function defineConsumer<D extends ConsumerDeclaration>(
  declaration: D,
  options: Pick<ConsumerOptions<never>, 'maxAttempts' | 'backoffMs'> & {
    handler: (event: DeclaredEvent<D>, tx: Tx, ctx: HandlerContext) => Promise<void>;
    /** See `ConsumerOptions.concurrencyKey`: handlers of different keys share the batch's round trips. */
    concurrencyKey?: (event: DeclaredEvent<D>) => string;
  },
): ConsumerDefinition {
  return { name: declaration.name, stream: declaration.stream, contracts: contractsOf(declaration), ...options } as unknown as ConsumerDefinition;
}
