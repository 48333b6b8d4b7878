import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape-html.js';
import { render } from './templates.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('render', () => {
  it('escapes user text in HTML only', () => {
    const out = render({ template: 'welcome', fullName: '<script>alert(1)</script>' });
    expect(out.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(out.html).not.toContain('<script>');
    expect(out.text).toContain('Hello <script>alert(1)</script>,');
  });

  it('renders an issued invoice with number, total and due date', () => {
    const out = render({ template: 'invoice_issued', fullName: null, number: 'INV-000001', totalMinor: 12_345, currency: 'EUR', dueDate: '2030-01-31' });
    expect(out).toMatchObject({ title: 'Invoice INV-000001 issued', subject: 'Invoice INV-000001 issued', body: 'Invoice INV-000001 for €123.45 has been issued, due on 2030-01-31.' });
    expect(out.text.startsWith('Hello,\n')).toBe(true);
  });

  it('renders a receipt and a security notice', () => {
    expect(render({ template: 'payment_receipt', fullName: 'Ada', amountMinor: 500, currency: 'USD' }).body).toBe('We received your payment of $5.00. Thank you.');
    const notice = render({ template: 'password_changed', fullName: 'Ada', changedAt: '2030-01-01 10:00 UTC' });
    expect(notice.title).toBe('Your password was changed');
    expect(notice.text).toContain('changed on 2030-01-01 10:00 UTC');
  });
});
