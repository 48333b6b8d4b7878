import { conflict } from '@platform/http-kit';
import type { UserRow } from '../data/schema.js';
import { userRepository } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { userEvents } from '../publisher.js';

export interface Registration {
  email: string;
  password: string;
  fullName: string;
}

/** A new account and its `registered` event in one transaction; a taken e-mail is a 409. */
export async function register(deps: UsersDeps, input: Registration, requestId: string): Promise<UserRow> {
  const passwordHash = await deps.hasher.hash(input.password);
  const user = await deps.db.transaction(async (tx) => {
    const inserted = await userRepository(tx).insert({ email: input.email, passwordHash, fullName: input.fullName });
    if (inserted) await userEvents.registered(tx, inserted, requestId);
    return inserted;
  });
  if (!user) throw conflict('E-mail is already registered');
  return user;
}
