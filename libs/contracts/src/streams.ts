/**
 * One JetStream stream per producing service, named after it; the dead-letter stream holds
 * messages consumers gave up on (`dlq.<consumer>.<original subject>`).
 */
export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
}

export const streams = {
  users: { name: 'USERS', subjects: ['users.>'] },
  billing: { name: 'BILLING', subjects: ['billing.>'] },
  notifications: { name: 'NOTIFICATIONS', subjects: ['notifications.>'] },
} as const satisfies Record<string, StreamDefinition>;

export type StreamKey = keyof typeof streams;

export const deadLetterStream = { name: 'DEAD_LETTERS', subjects: ['dlq.>'] } as const satisfies StreamDefinition;

export const deadLetterSubjectPrefix = 'dlq';

/** The stream that carries a contract's events: the one of its producing service. */
export function streamForSource(source: string): StreamDefinition | undefined {
  return Object.hasOwn(streams, source) ? streams[source as StreamKey] : undefined;
}
