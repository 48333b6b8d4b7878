import * as z from 'zod';

/** The variable every HTTP process (gateway and services) reads for its `/metrics`; spread into its env schema. */
export const metricsEnv = {
  /**
   * When set, `GET /metrics` needs `Authorization: Bearer <token>`. At least 16 characters of the
   * bearer-token alphabet (RFC 6750 §2.1), so it fits the header unquoted.
   */
  METRICS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9._~+/-]{16,256}=*$/, 'must be 16-256 characters of A-Z a-z 0-9 . _ ~ + / -')
    .optional(),
};

export interface MetricsSettings {
  /** Bearer token `/metrics` requires; none = open (keep it on a private network then). */
  token?: string;
}

export function toMetricsSettings(env: { METRICS_TOKEN?: string }): MetricsSettings {
  return env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {};
}
