/** Billing's view of a user, as far as events (or a token) told it. */
export interface ProjectedUser {
  email: string | null;
  fullName: string | null;
  role: string | null;
  isActive: boolean;
  /** occurredAt of the newest event applied to email / fullName / role. */
  profileAt: Date | null;
  /** occurredAt of the newest event applied to isActive. */
  statusAt: Date | null;
}

export type UserEvent =
  | { kind: 'snapshot'; occurredAt: Date; email: string; fullName: string; role: string; isActive: boolean }
  | { kind: 'deactivated'; occurredAt: Date };

const notOlder = (occurredAt: Date, stored: Date | null) => stored === null || occurredAt.getTime() >= stored.getTime();

/** On a tie (same instant) a deactivation wins: never re-activate on ambiguous order. */
function statusApplies(current: ProjectedUser, event: UserEvent): boolean {
  if (current.statusAt === null) return true;
  const diff = event.occurredAt.getTime() - current.statusAt.getTime();
  if (diff !== 0) return diff > 0;
  return event.kind === 'deactivated' || current.isActive;
}

/**
 * Applies one users event, tolerating any delivery order: the profile and the active flag each
 * keep the `occurredAt` of what last set them, and an event older than that is ignored for that
 * part. So a registration arriving after a newer deactivation fills in the e-mail but does not
 * re-activate the user; an update newer than the deactivation (a re-activation) does.
 * Duplicates never get here (the inbox drops them), and re-applying one is harmless anyway.
 * The consumer applies this rule in one SQL upsert (data/billing-user-repository.ts `project`);
 * this function is its specification, and the projection test holds the two to the same result.
 */
export function applyUserEvent(current: ProjectedUser, event: UserEvent): ProjectedUser {
  const next = { ...current };
  if (event.kind === 'snapshot' && notOlder(event.occurredAt, current.profileAt)) {
    next.email = event.email;
    next.fullName = event.fullName;
    next.role = event.role;
    next.profileAt = event.occurredAt;
  }
  if (statusApplies(current, event)) {
    next.isActive = event.kind === 'snapshot' ? event.isActive : false;
    next.statusAt = event.occurredAt;
  }
  return next;
}

/** A user billing has not heard about yet, known only from a valid token. */
export const unknownUser: ProjectedUser = {
  email: null,
  fullName: null,
  role: null,
  isActive: true,
  profileAt: null,
  statusAt: null,
};
