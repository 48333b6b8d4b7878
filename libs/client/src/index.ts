export {
  createPlatformClient,
  type BodyOf,
  type CallOptions,
  type HttpMethod,
  type PathsWith,
  type PlatformClient,
  type PlatformClientOptions,
  type SuccessOf,
} from './client.js';
export { ApiError, NetworkError, PlatformClientError, TimeoutError, isApiError, type ErrorEnvelope, type Issue } from './errors.js';
export { ERROR_CODES, type ErrorCode } from './generated/error-codes.js';
export type { paths } from './generated/schema.js';
export type { BillingAccount, Invoice, Notification, NotificationPreferences, PageMeta, Payment, TokenPair, User } from './resources.js';
export { defaultRetryPolicy, type RetryOptions } from './retry-policy.js';
export type { Session, SessionChange } from './session.js';
