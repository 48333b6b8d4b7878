import {
  invoiceIssuedV1,
  invoiceVoidedV1,
  notificationFailedV1,
  notificationSentV1,
  paymentReceivedV1,
  userDeactivatedV1,
  userLoggedInV1,
  userRegisteredV1,
  userUpdatedV1,
  type analyticsConsumers,
  type DeclaredData,
} from '@platform/contracts';

/**
 * Metric definitions: what one stored event adds to each metric, as pure functions of the event
 * and the little state analytics keeps per user and per invoice. Every metric is a sum of these
 * deltas, so a summary or a time series is a sum over a time range and a replay of the same
 * events in the same order gives the same numbers.
 *
 * - flow metrics count what happened inside [from, to): signups, logins, invoices_issued,
 *   revenue, payments, notifications_sent, notifications_failed, events_stored, events_unknown;
 * - balance metrics are a state as of `to` (the sum of every delta before `to`): users_total,
 *   users_active, outstanding.
 */
export const flowMetrics = [
  'signups',
  'logins',
  'invoices_issued',
  'revenue',
  'payments',
  'notifications_sent',
  'notifications_failed',
  'events_stored',
  'events_unknown',
] as const;
export const balanceMetrics = ['users_total', 'users_active', 'outstanding'] as const;
export type MetricName = (typeof flowMetrics)[number] | (typeof balanceMetrics)[number];

/** One contribution of one event: `key` is the currency for money metrics, the stream for event counts, '' otherwise. */
export interface MetricDelta {
  metric: MetricName;
  key: string;
  value: number;
}

export interface UserState {
  isActive: boolean;
  /** The role the latest registered/updated event gave (null until one did): refuses stale tokens. */
  role: string | null;
  /** occurredAt of the event that set the state (ISO). */
  lastAt: string;
}

export interface InvoiceState {
  currency: string | null;
  totalMinor: number | null;
  paidMinor: number;
  voided: boolean;
}

/**
 * An event with a contract here, typed by that contract and narrowed to the fields analytics
 * declared it reads (libs/contracts consumers/analytics.ts): renaming a field in a contract, or
 * reading one not declared, fails to compile below.
 */
export type KnownEvent = DeclaredData<(typeof analyticsConsumers)[keyof typeof analyticsConsumers]>;

/** A type or version with no contract here: kept as it came. */
export interface UnknownEvent {
  type: string;
  data: Record<string, unknown>;
}

/** The fields of a stored event the metrics read. */
export type MetricEvent = { stream: string; occurredAt: string } & (({ known: true } & KnownEvent) | ({ known: false } & UnknownEvent));

export interface StateLookup {
  user(id: string): UserState | undefined;
  invoice(id: string): InvoiceState | undefined;
}

export interface EventEffect {
  deltas: MetricDelta[];
  user?: { id: string; state: UserState };
  invoice?: { id: string; state: InvoiceState };
}

const one = (metric: MetricName, key = ''): MetricDelta => ({ metric, key, value: 1 });

/**
 * The effect of one event given the current states. Users: a user counts in `users_total` from
 * the first registered/updated/deactivated event seen for them, and in `users_active` while their
 * latest such event (by occurredAt; an older one arriving late changes nothing) says active.
 * Invoices: outstanding = issued totals − payments − void write-offs, where a write-off is what
 * was still due when the invoice was voided (total − payments recorded before the void, ≥ 0).
 */
export function effectOf(event: MetricEvent, states: StateLookup): EventEffect {
  const deltas: MetricDelta[] = [one('events_stored', event.stream)];
  if (!event.known) return { deltas: [...deltas, one('events_unknown', event.stream)] };
  switch (event.type) {
    case userRegisteredV1.type:
      deltas.push(one('signups'));
      return { deltas, ...userTransition(event.data.userId, event.data.isActive, event.data.role, event.occurredAt, states, deltas) };
    case userUpdatedV1.type:
      return { deltas, ...userTransition(event.data.userId, event.data.isActive, event.data.role, event.occurredAt, states, deltas) };
    case userDeactivatedV1.type:
      return { deltas, ...userTransition(event.data.userId, false, undefined, event.occurredAt, states, deltas) };
    case userLoggedInV1.type:
      deltas.push(one('logins'));
      return { deltas };
    case invoiceIssuedV1.type: {
      const { invoiceId: id, currency, totalMinor: total } = event.data;
      const prev = states.invoice(id) ?? { currency: null, totalMinor: null, paidMinor: 0, voided: false };
      deltas.push(one('invoices_issued'));
      // A repeated issue of one invoice (another event id) must not count its total twice.
      if (prev.totalMinor === null) deltas.push({ metric: 'outstanding', key: currency, value: total });
      return { deltas, invoice: { id, state: { ...prev, currency, totalMinor: prev.totalMinor ?? total } } };
    }
    case paymentReceivedV1.type: {
      const { invoiceId: id, currency, amountMinor: amount } = event.data;
      const prev = states.invoice(id) ?? { currency: null, totalMinor: null, paidMinor: 0, voided: false };
      deltas.push(
        { metric: 'revenue', key: currency, value: amount },
        one('payments', currency),
        { metric: 'outstanding', key: currency, value: -amount },
      );
      return { deltas, invoice: { id, state: { ...prev, currency: prev.currency ?? currency, paidMinor: prev.paidMinor + amount } } };
    }
    case invoiceVoidedV1.type: {
      const id = event.data.invoiceId;
      const prev = states.invoice(id);
      if (!prev || prev.voided) return { deltas, invoice: prev ? undefined : { id, state: { currency: null, totalMinor: null, paidMinor: 0, voided: true } } };
      const remainder = prev.totalMinor === null || prev.currency === null ? 0 : Math.max(0, prev.totalMinor - prev.paidMinor);
      if (remainder > 0) deltas.push({ metric: 'outstanding', key: prev.currency as string, value: -remainder });
      return { deltas, invoice: { id, state: { ...prev, voided: true } } };
    }
    case notificationSentV1.type:
      deltas.push(one('notifications_sent'));
      return { deltas };
    case notificationFailedV1.type:
      deltas.push(one('notifications_failed'));
      return { deltas };
    default:
      // Known contracts without a metric (account created, invoice paid, password changed): stored only.
      return { deltas };
  }
}

/** `role` undefined: the event does not carry one (a deactivation) and the known role stays. */
function userTransition(
  id: string,
  isActive: boolean,
  role: string | undefined,
  occurredAt: string,
  states: StateLookup,
  deltas: MetricDelta[],
): Pick<EventEffect, 'user'> {
  const prev = states.user(id);
  if (!prev) {
    deltas.push(one('users_total'));
    if (isActive) deltas.push(one('users_active'));
    return { user: { id, state: { isActive, role: role ?? null, lastAt: occurredAt } } };
  }
  if (Date.parse(occurredAt) < Date.parse(prev.lastAt)) return {};
  if (prev.isActive !== isActive) deltas.push({ metric: 'users_active', key: '', value: isActive ? 1 : -1 });
  return { user: { id, state: { isActive, role: role ?? prev.role, lastAt: occurredAt } } };
}

/**
 * Applies a batch in order (stream order), threading the states through so two events of one
 * user in one batch see each other. Returns the deltas per event and the final changed states.
 */
export function effectsOfBatch(
  batch: readonly MetricEvent[],
  initial: { users: Map<string, UserState>; invoices: Map<string, InvoiceState> },
): { deltas: MetricDelta[][]; users: Map<string, UserState>; invoices: Map<string, InvoiceState> } {
  const users = new Map<string, UserState>();
  const invoices = new Map<string, InvoiceState>();
  const lookup: StateLookup = {
    user: (id) => users.get(id) ?? initial.users.get(id),
    invoice: (id) => invoices.get(id) ?? initial.invoices.get(id),
  };
  const deltas = batch.map((event) => {
    const effect = effectOf(event, lookup);
    if (effect.user) users.set(effect.user.id, effect.user.state);
    if (effect.invoice) invoices.set(effect.invoice.id, effect.invoice.state);
    return effect.deltas;
  });
  return { deltas, users, invoices };
}

/** The user and invoice ids whose state a batch may read (the events `effectOf` keeps state for). */
export function stateKeysOf(batch: readonly MetricEvent[]): { userIds: string[]; invoiceIds: string[] } {
  const userIds = new Set<string>();
  const invoiceIds = new Set<string>();
  for (const e of batch) {
    if (!e.known) continue;
    switch (e.type) {
      case userRegisteredV1.type:
      case userUpdatedV1.type:
      case userDeactivatedV1.type:
        userIds.add(e.data.userId);
        break;
      case invoiceIssuedV1.type:
      case paymentReceivedV1.type:
      case invoiceVoidedV1.type:
        invoiceIds.add(e.data.invoiceId);
        break;
    }
  }
  return { userIds: [...userIds], invoiceIds: [...invoiceIds] };
}
