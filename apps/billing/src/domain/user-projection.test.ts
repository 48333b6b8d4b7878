import { describe, expect, it } from 'vitest';
import { applyUserEvent, unknownUser, type UserEvent } from './user-projection.js';

const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, second));
const snapshot = (second: number, overrides: Partial<Extract<UserEvent, { kind: 'snapshot' }>> = {}): UserEvent => ({
  kind: 'snapshot',
  occurredAt: at(second),
  email: `v${second}@example.com`,
  fullName: `Version ${second}`,
  role: 'user',
  isActive: true,
  ...overrides,
});
const deactivated = (second: number): UserEvent => ({ kind: 'deactivated', occurredAt: at(second) });
const applyAll = (events: UserEvent[]) => events.reduce(applyUserEvent, unknownUser);

describe('users projection', () => {
  it('takes the newest snapshot whatever the delivery order', () => {
    const inOrder = applyAll([snapshot(1), snapshot(2)]);
    const reversed = applyAll([snapshot(2), snapshot(1)]);
    expect(reversed).toEqual(inOrder);
    expect(reversed).toMatchObject({ email: 'v2@example.com', profileAt: at(2), isActive: true });
  });

  it('lets a deactivation win over an older registration arriving later, keeping its profile', () => {
    const user = applyAll([deactivated(5), snapshot(1)]);
    expect(user).toMatchObject({ isActive: false, email: 'v1@example.com', statusAt: at(5), profileAt: at(1) });
  });

  it('re-activates only on a snapshot newer than the deactivation', () => {
    expect(applyAll([snapshot(1), deactivated(5), snapshot(9, { isActive: true })]).isActive).toBe(true);
    expect(applyAll([snapshot(1), snapshot(9, { isActive: true }), deactivated(5)]).isActive).toBe(true);
  });

  it('resolves a tie in favour of the deactivation', () => {
    expect(applyAll([deactivated(3), snapshot(3)]).isActive).toBe(false);
    expect(applyAll([snapshot(3), deactivated(3)]).isActive).toBe(false);
  });

  it('is unchanged by applying the same event twice', () => {
    const once = applyAll([snapshot(1), deactivated(2)]);
    expect(applyUserEvent(once, deactivated(2))).toEqual(once);
    expect(applyUserEvent(once, snapshot(1))).toEqual(once);
  });

  it('fills in a row created from a token', () => {
    const fromToken = { ...unknownUser, role: 'user' };
    expect(applyUserEvent(fromToken, snapshot(1))).toMatchObject({ email: 'v1@example.com', fullName: 'Version 1', isActive: true });
  });
});
