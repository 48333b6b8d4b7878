import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docs/operations: the Prometheus configs and alert rules are checked by promtool itself, and every
// query (alerts and dashboard) may name only the metrics the README documents, so neither drifts.
const ops = fileURLToPath(new URL('../../../docs/operations/', import.meta.url));
const prom = join(ops, 'prometheus');

const promtool = ['/usr/bin/promtool', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'promtool'))].find((p) => existsSync(p));
if (!promtool) throw new Error('promtool is missing: apt-get install -y prometheus (.ci/run installs it when absent)');

function run(args: string[], cwd = prom): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(promtool as string, args, { cwd, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** The metric names docs/operations/README.md documents (its "Metrics" section), plus what histograms imply. */
function documentedMetrics(): { names: Set<string>; prefixes: string[] } {
  const readme = readFileSync(join(ops, 'README.md'), 'utf8');
  const section = /^## Metrics\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    for (const [, name, labels] of line.matchAll(/`([a-z_:][a-z0-9_:]*)(\{[^}`]*\})?`/g)) {
      if (!name || (name.endsWith('_') && !labels)) continue;
      names.add(name);
      // A histogram is read through its series: _bucket, _sum, _count.
      if (/\bhistogram\b/.test(line)) for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    }
  }
  // `process_*`, `nodejs_*`: prom-client's default metrics, documented as families.
  const prefixes = [...section.matchAll(/`([a-z]+_)\*`/g)].map((m) => m[1] as string);
  return { names, prefixes };
}

const keywords = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads (strings, matchers, ranges and grouping removed first). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)) {
    const [, name, call] = match;
    if (!name || call || keywords.has(name.toLowerCase())) continue;
    names.push(name);
  }
  return names;
}

const { names: documented, prefixes } = documentedMetrics();
const known = (name: string, extra: string[] = []) => documented.has(name) || extra.includes(name) || prefixes.some((p) => name.startsWith(p));

const temp: string[] = [];
afterAll(() => temp.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('docs/operations', () => {
  it('documents the agreed metric names', () => {
    for (const name of ['http_requests_total', 'outbox_backlog', 'consumer_pending', 'dead_letter_messages', 'gateway_upstream_unavailable_total']) {
      expect(documented.has(name), name).toBe(true);
    }
    expect(prefixes).toEqual(['process_', 'nodejs_']);
    expect(metricNames('sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"$service"}[5m])) / on(x) up > bool 2')).toEqual([
      'http_request_duration_seconds_bucket',
      'up',
    ]);
  });

  it('alert rules pass promtool check rules and their unit tests', async () => {
    const check = await run(['check', 'rules', 'alerts.yml']);
    expect(check.output).toContain('SUCCESS');
    expect(check.code, check.output).toBe(0);
    const tests = await run(['test', 'rules', 'alerts.test.yml']);
    expect(tests.code, tests.output).toBe(0);
  });

  it('alert rules cover the issue and read only documented metrics', () => {
    const groups = (parse(readFileSync(join(prom, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['OutboxBacklogGrowing', 'ConsumerLagHigh', 'DeadLetters', 'HighServerErrorRate', 'ReadinessFlapping']),
    );
    // `up` is Prometheus' own; kube_pod_status_ready is kube-state-metrics' (Kubernetes readiness).
    const unknown = rules.flatMap((r) => metricNames(r.expr).filter((n) => !known(n, ['up', 'kube_pod_status_ready'])));
    expect(unknown).toEqual([]);
  });

  it('the compose scrape config (with the rules it loads) passes promtool check config', async () => {
    const result = await run(['check', 'config', 'scrape-compose.yml']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('1 rule files found');
  });

  it('the Kubernetes scrape config passes promtool check config', async () => {
    let result = await run(['check', 'config', 'scrape-kubernetes.yml']);
    if (result.code !== 0 && /field kubernetes_sd_configs not found/.test(result.output)) {
      // Debian's promtool is built without Kubernetes service discovery: check everything else
      // (relabelling, rules, jobs) with the discovery blocks swapped for an empty static list,
      // and the discovery blocks themselves here.
      const config = parse(readFileSync(join(prom, 'scrape-kubernetes.yml'), 'utf8')) as {
        scrape_configs: { job_name: string; kubernetes_sd_configs?: { role: string }[]; static_configs?: unknown[] }[];
      };
      for (const job of config.scrape_configs) {
        expect(job.kubernetes_sd_configs?.length, job.job_name).toBeGreaterThan(0);
        for (const sd of job.kubernetes_sd_configs ?? []) expect(['pod', 'service', 'endpoints', 'node', 'ingress', 'endpointslice']).toContain(sd.role);
        delete job.kubernetes_sd_configs;
        job.static_configs = [{ targets: [] }];
      }
      const dir = mkdtempSync(join(tmpdir(), 'prom-k8s-'));
      temp.push(dir);
      writeFileSync(join(dir, 'scrape-kubernetes.yml'), JSON.stringify(config));
      copyFileSync(join(prom, 'alerts.yml'), join(dir, 'alerts.yml'));
      result = await run(['check', 'config', 'scrape-kubernetes.yml'], dir);
    }
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('1 rule files found');
  });

  it('the Grafana dashboard is valid JSON whose queries read only documented metrics', () => {
    const dashboard = JSON.parse(readFileSync(join(ops, 'grafana', 'platform-dashboard.json'), 'utf8')) as {
      uid: string;
      panels: { id: number; type: string; title: string; targets?: { expr: string }[] }[];
      templating: { list: { name: string; definition?: string }[] };
    };
    expect(dashboard.uid).toBe('platform-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const queries = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queries.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const panel of queries) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) for (const name of metricNames(target.expr)) used.add(name);
    }
    for (const variable of dashboard.templating.list) {
      const metric = /^label_values\((\w+),/.exec(variable.definition ?? '')?.[1];
      if (metric) used.add(metric);
    }
    expect([...used].filter((n) => !known(n, ['up']))).toEqual([]);
    // The dashboard shows what the alerts are about.
    for (const name of ['dead_letter_messages', 'outbox_backlog', 'consumer_pending', 'http_requests_total']) expect(used).toContain(name);
  });
});
