import type { SuccessOf } from './client.js';

// The platform's resources (docs/contract.md §4) as the gateway answers them, named for use in
// application code. Derived from the generated operations, so they follow a regeneration.
export type User = SuccessOf<'get', '/api/v1/users/me'>['data'];
/** The token pair login and refresh answer (docs/contract.md §3). */
export type TokenPair = SuccessOf<'post', '/api/v1/auth/login'>['data'];
export type BillingAccount = SuccessOf<'get', '/api/v1/billing/accounts/me'>['data'];
export type Invoice = SuccessOf<'get', '/api/v1/billing/invoices/{id}'>['data'];
export type Payment = SuccessOf<'post', '/api/v1/billing/invoices/{id}/payments'>['data'];
export type Notification = SuccessOf<'get', '/api/v1/notifications'>['data'][number];
export type NotificationPreferences = SuccessOf<'get', '/api/v1/notifications/preferences'>['data'];
export type PageMeta = SuccessOf<'get', '/api/v1/billing/invoices'>['meta'];
