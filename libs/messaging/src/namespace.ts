/**
 * A namespace isolates one test run (or one tenant of a shared NATS server): it prefixes every
 * subject (`t1a2b.users.user.registered.v1`) and stream name (`T1A2B_USERS`). Production uses
 * none. Envelopes keep the plain contract type either way.
 */
const valid = /^[a-z0-9_-]{1,32}$/;

export function assertNamespace(namespace: string | undefined): void {
  if (namespace !== undefined && namespace !== '' && !valid.test(namespace)) {
    throw new Error(`invalid messaging namespace "${namespace}" (a-z, 0-9, _ and -, at most 32)`);
  }
}

export function namespacedStream(name: string, namespace?: string): string {
  assertNamespace(namespace);
  return namespace ? `${namespace.toUpperCase().replaceAll('-', '_')}_${name}` : name;
}

export function namespacedSubject(subject: string, namespace?: string): string {
  assertNamespace(namespace);
  return namespace ? `${namespace}.${subject}` : subject;
}

/** The contract-level subject of a received message. */
export function stripNamespace(subject: string, namespace?: string): string {
  if (!namespace) return subject;
  const prefix = `${namespace}.`;
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
}

/** `dlq.<consumer>.<original subject>`, namespaced like everything else. */
export function deadLetterSubject(consumer: string, originalSubject: string, namespace?: string): string {
  return namespacedSubject(`dlq.${consumer}.${stripNamespace(originalSubject, namespace)}`, namespace);
}
