import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, metricsEnv, parseConfig, toMetricsSettings } from './index.js';

const schema = z.object(metricsEnv);

describe('METRICS_TOKEN', () => {
  it('is optional: unset or empty leaves /metrics open', () => {
    expect(toMetricsSettings(parseConfig(schema, {}))).toEqual({});
    expect(toMetricsSettings(parseConfig(schema, { METRICS_TOKEN: '' }))).toEqual({});
  });

  it('takes a bearer token of at least 16 characters', () => {
    expect(toMetricsSettings(parseConfig(schema, { METRICS_TOKEN: 'scrape-token-0123456789' }))).toEqual({ token: 'scrape-token-0123456789' });
  });

  it.each(['short', 'has spaces in it, sixteen+', 'quote"quote"quote"quote'])('refuses %j naming the variable', (value) => {
    expect(() => parseConfig(schema, { METRICS_TOKEN: value })).toThrow(ConfigError);
    expect(() => parseConfig(schema, { METRICS_TOKEN: value })).toThrow(/METRICS_TOKEN/);
  });
});
