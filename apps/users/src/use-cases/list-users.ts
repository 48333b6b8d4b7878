import type { Page } from '@platform/db-kit';
import type { UserRow } from '../data/schema.js';
import { userRepository, type UserListQuery } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';

/** A page of users, newest first, optionally searched and filtered. */
export function listUsers(deps: UsersDeps, query: UserListQuery): Promise<Page<UserRow>> {
  return userRepository(deps.db).list(query);
}
