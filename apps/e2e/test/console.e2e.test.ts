import { join } from 'node:path';
import { userRegisteredV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, buildConsoleSite, launchChromium } from '../src/browser.js';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { loginAdmin, newUserInput, registerUser } from '../src/gateway-client.js';

const shots = artifactsDir('console');
const POISON = 'console-poison';

/**
 * Issue 16's operator console in a real browser against the real platform: log in, every service
 * ready, a registration's events, a message dead-lettered on purpose (analytics refuses it once:
 * a trigger in its database, with one attempt allowed), re-driven from the console once the
 * "bug" is fixed, and its effect seen exactly once. One screenshot per page in apps/e2e/artifacts/console/.
 */
describe('the operator console in Chromium', () => {
  const e2e = usePlatform({ ANALYTICS_INGEST_MAX_ATTEMPTS: '1' });
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    const [site, launched] = await Promise.all([buildConsoleSite(), launchChromium()]);
    browser = launched;
    consoleUrl = (await e2e.platform.startConsole({ CONSOLE_STATIC_DIR: site })).url;
    await e2e.quiet.db('analytics').sql.unsafe(`
      create function e2e_refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.data->>'email' like '${POISON}%' then raise exception 'analytics refuses this event on purpose (console e2e)'; end if;
        return new;
      end $$;
      create trigger e2e_refuse_poison before insert on events for each row execute function e2e_refuse_poison();`);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const open = async (hash: string) => {
    await page.click(`nav a[href="#/${hash}"]`);
    await page.waitForSelector('main h2');
  };

  it('refuses the console to anyone but an admin, then logs the admin in', async () => {
    await page.goto(`${consoleUrl}/`);
    await page.waitForSelector('form[aria-label="Log in"]');
    const someone = await registerUser(e2e.client, newUserInput('console-user'));
    await page.fill('input[name=email]', someone.email);
    await page.fill('input[name=password]', someone.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Only an admin may use the console');
    await shot('login-refused');

    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Platform map');
  });

  it('shows every service ready on the platform map, with the streams and their consumers', async () => {
    await waitFor(async () => (await page.locator('.card.ready').count()) === 5, { timeoutMs: 20_000 });
    for (const app of ['gateway', 'users', 'billing', 'notifications', 'analytics']) {
      expect(await page.textContent(`[data-testid=app-${app}] .badge`)).toBe('ready');
    }
    await page.waitForSelector('td:text-is("analytics-store-users-events")');
    await shot('platform');
  });

  let poisoned: Awaited<ReturnType<typeof registerUser>>;
  let requestId: string;

  it("shows a registration's events as they appear, and its request's trace view", async () => {
    poisoned = await registerUser(e2e.client, newUserInput(POISON));
    requestId = poisoned.response.headers.get('x-request-id') ?? '';
    expect(requestId).not.toBe('');
    await open('events');
    await page.fill('input[placeholder^="users.user.registered.v1"]', userRegisteredV1.type);
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector(`[data-testid=event] button:text-is("${requestId}")`, { timeout: 20_000 });
    await shot('events');

    await page.click(`[data-testid=event] button:text-is("${requestId}")`);
    await page.waitForSelector('text=Tracing is not configured');
    await page.waitForSelector(`td:text-is("${userRegisteredV1.type}")`);
    await shot('trace');
  });

  it('lists the message analytics dead-lettered on purpose, with its reason, attempts and payload', async () => {
    await open('dead-letters');
    const row = page.locator('[data-testid=dead-letter]', { hasText: 'analytics-store-users-events' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('on purpose (console e2e)');
    expect(await row.locator('td').nth(4).textContent()).toBe('1');
    await row.locator('button:text-is("Show message")').click();
    await page.waitForSelector(`pre.payload:has-text("${poisoned.email}")`);
    await shot('dead-letters');
  });

  it('re-drives it with a confirmation once the bug is fixed; its effect happens once', async () => {
    await e2e.quiet.db('analytics').sql.unsafe('drop trigger e2e_refuse_poison on events');
    const row = page.locator('[data-testid=dead-letter]', { hasText: 'analytics-store-users-events' });
    await row.locator('button:text-is("Re-drive")').click();
    await page.waitForSelector('[role=dialog] >> text=Re-drive this message?');
    await shot('redrive-confirm');
    await page.click('[role=dialog] button:text-is("Yes, re-drive")');
    await page.waitForSelector('text=Re-driven to');
    await page.waitForSelector('text=No dead letter: every message was handled.', { timeout: 15_000 });
    await shot('dead-letters-after');

    await e2e.quiet.wait();
    const stored = await e2e.quiet.db('analytics').sql<{ n: number }[]>`select count(*)::int as n from events where type = ${userRegisteredV1.type} and data->>'userId' = ${poisoned.user.id}`;
    expect(stored[0]?.n).toBe(1);
    // The other consumers of the subject had handled it the first time and do nothing again.
    const admin = (await loginAdmin(e2e.client, ADMIN.email, ADMIN.password)).accessToken;
    const deliveries = await e2e.client.get<Array<{ to: string }>>(`/api/v1/notifications/deliveries?userId=${poisoned.user.id}`, { token: admin });
    expect(deliveries.body.data.map((d) => d.to)).toEqual([poisoned.email]);
  });

  it('shows the e-mail deliveries, one welcome for the re-driven registration', async () => {
    await open('deliveries');
    const rows = page.locator('[data-testid=delivery]', { hasText: poisoned.email });
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(1);
    await shot('deliveries');
  });

  it("shows each app's request rate, error rate and latency from its /metrics, with charts", async () => {
    await open('metrics');
    // Rates need two scrapes; the pages opened so far have scraped already. The gateway has served this test.
    const gateway = page.locator('tbody tr', { has: page.locator('td:text-is("gateway")') });
    await waitFor(async () => /^\d+\.\d{2}$/.test((await gateway.locator('td').nth(1).textContent()) ?? ''), { timeoutMs: 20_000 });
    // Recharts' ResponsiveContainer draws a chart only once its ResizeObserver has measured the box, a frame
    // or more after the table: wait for the four charts (three lines, the backlog bars) with a bound.
    const charts = page.locator('.recharts-wrapper');
    await waitFor(async () => (await charts.count()) === 4, { timeoutMs: 10_000 });
    expect(await charts.count()).toBe(4);
    // A point per scrape interval on the request-rate chart, one line per app.
    await waitFor(async () => (await page.locator('figure:has-text("Request rate") .recharts-line-dot').count()) >= 5, { timeoutMs: 20_000 });
    expect(await page.locator('text=No metrics from').count()).toBe(0);
    await shot('metrics');
  });
});
