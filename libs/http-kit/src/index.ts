export { createHttpApp, type HttpApp, type HttpAppOptions } from './create-http-app.js';
export { SHUTDOWN_TIMEOUT_MS, runServer, type RunServerOptions } from './run-server.js';

export { ERROR_CODES, SUCCESS_CODE, codeForStatus, type EnvelopeCode, type ErrorCode } from './errors/codes.js';
export {
  AppError,
  badRequest,
  validationError,
  unauthorized,
  forbidden,
  notFound,
  conflict,
  payloadTooLarge,
  unsupportedMediaType,
  unprocessable,
  tooManyRequests,
  internal,
  serviceUnavailable,
  dependencyUnavailable,
  gatewayTimeout,
  type AppErrorOptions,
  type Issue,
} from './errors/app-error.js';
export { mapError, toIssues, type MappedError } from './errors/to-envelope.js';
export { errorBody, sendError } from './error-handling.js';

export {
  envelope,
  pagedEnvelope,
  errorEnvelope,
  errorResponses,
  issueSchema,
  ok,
  created,
  page,
  type SuccessEnvelope,
  type PagedEnvelope,
  type ErrorEnvelope,
} from './envelope.js';
export {
  paginationQuery,
  pageMeta,
  pageMetaSchema,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type PageMeta,
  type PaginationQuery,
} from './pagination.js';

export { REQUEST_ID_HEADER, isSaneRequestId, genRequestId } from './request-id.js';
export { pathOf } from './request-logger.js';
export { runReadinessChecks, type ReadinessCheck, type ReadinessChecks, type CheckState } from './health.js';
export { OPENAPI_PATH, type OpenApiOptions } from './openapi.js';

export { routeGroup, type RouteGroupOptions, type RouteRegistrar } from './routes/route-group.js';
export { currencySchema, idParams, isKnownCurrency, queryBoolean } from './routes/schemas.js';

export { requireAuth, requireRole, type AccessTokenPayload, type AuthOptions, type PublicKeyResolver, type JwtAlgorithm, type RevocationCheck } from './auth/auth-plugin.js';
export { ROLES, roleSchema, accessClaimsSchema, type Role, type AccessClaims } from './auth/claims.js';
export { isStaleToken, knownUser, refuseStaleTokens, type KnownUserState } from './auth/stale-token.js';

export { MAX_JSON_DEPTH, jsonNestingExceeds, TOO_DEEP_MESSAGE } from './json-depth.js';
export { humanText, isDisplaySafe, TEXT_CONTROL_MESSAGE } from './text.js';
export { addRouteHook, METRICS_PATH, onRouteResponse, statusClass } from './metrics.js';
export { compiledOutput } from './output/output-serializer.js';
