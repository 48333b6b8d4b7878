import { describe, expect, it } from 'vitest';
import { figures } from './metrics.js';
import { parsePrometheusText } from './prometheus-text.js';

const exposition = (requests: number, errors: number, fast: number, slow: number) => `# HELP http_requests_total Requests
# TYPE http_requests_total counter
http_requests_total{service="users",route="/api/v1/users/:id",method="GET",status_class="2xx"} ${requests - errors}
http_requests_total{service="users",route="unmatched",method="GET",status_class="5xx"} ${errors}
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.01",service="users",route="/a",method="GET"} ${fast}
http_request_duration_seconds_bucket{le="0.1",service="users",route="/a",method="GET"} ${fast + slow}
http_request_duration_seconds_bucket{le="+Inf",service="users",route="/a",method="GET"} ${fast + slow}
http_request_duration_seconds_sum{service="users",route="/a",method="GET"} ${fast * 0.005 + slow * 0.05}
http_request_duration_seconds_count{service="users",route="/a",method="GET"} ${fast + slow}
# TYPE outbox_backlog gauge
outbox_backlog{service="users"} 7
label_escapes{service="a \\"quoted\\" one"} 1
`;

describe('metrics from two scrapes', () => {
  it('parses samples with labels (escapes included) and histogram lines', () => {
    const samples = parsePrometheusText(exposition(10, 1, 5, 5));
    expect(samples.find((s) => s.name === 'label_escapes')?.labels.service).toBe('a "quoted" one');
    expect(samples.filter((s) => s.name === 'http_request_duration_seconds_bucket').map((s) => s.labels.le)).toEqual(['0.01', '0.1', '+Inf']);
  });

  it('computes request rate, error share, mean and p95 latency between scrapes, and reads gauges', () => {
    const before = { at: 0, samples: parsePrometheusText(exposition(10, 1, 5, 5)) };
    const after = { at: 10_000, samples: parsePrometheusText(exposition(110, 11, 15, 95)) };
    const f = figures('users', before, after);
    expect(f.requestRate).toBeCloseTo(10);
    expect(f.errorRate).toBeCloseTo(0.1);
    expect(f.p95Ms).toBeCloseTo(100);
    expect(f.meanMs).toBeCloseTo((10 * 5 + 90 * 50) / 100);
    expect(f.outboxBacklog).toBe(7);
  });

  it('has no rate from one scrape, and none from an app that did not answer', () => {
    expect(figures('users', undefined, { at: 1, samples: parsePrometheusText(exposition(1, 0, 1, 0)) }).requestRate).toBeNull();
    expect(figures('users', { at: 0, samples: [] }, { at: 1, samples: null })).toMatchObject({ requestRate: null, outboxBacklog: null });
  });
});
