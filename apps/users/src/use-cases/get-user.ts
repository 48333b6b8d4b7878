import { notFound } from '@platform/http-kit';
import type { UserRow } from '../data/schema.js';
import type { UsersDeps } from '../deps.js';

/** One user by id (the prepared lookup: `GET /users/me` is the hottest read), or a 404. */
export async function getUser(deps: UsersDeps, id: string): Promise<UserRow> {
  const user = await deps.userById(id);
  if (!user) throw notFound('User not found');
  return user;
}
