import { escapeHtml } from './escape-html.js';
import { formatMoney } from './money.js';
import type { Category } from './preferences.js';

/** A rendered message: `title`/`body` for the in-app copy, `subject`/`text`/`html` for the e-mail. */
export interface Rendered {
  title: string;
  body: string;
  subject: string;
  text: string;
  html: string;
}

export type TemplateInput =
  | { template: 'welcome'; fullName: string }
  | { template: 'password_changed'; fullName: string | null; changedAt: string }
  | { template: 'invoice_issued'; fullName: string | null; number: string; totalMinor: number; currency: string; dueDate: string }
  | { template: 'payment_receipt'; fullName: string | null; amountMinor: number; currency: string };

export type TemplateName = TemplateInput['template'];

export const templateCategory: Record<TemplateName, Category> = {
  welcome: 'account',
  password_changed: 'security',
  invoice_issued: 'billing',
  payment_receipt: 'billing',
};

const signature = 'The Platform team';

/** Plain paragraphs become the text body and, escaped, the HTML body: one source, no drift. */
function compose(title: string, greeting: string, paragraphs: string[]): Rendered {
  const text = [greeting, '', ...paragraphs.flatMap((p) => [p, '']), signature].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p>${escapeHtml(signature)}</p>`,
    '</body></html>',
  ].join('\n');
  return { title, body: paragraphs[0] ?? title, subject: title, text, html };
}

const hello = (fullName: string | null) => (fullName ? `Hello ${fullName},` : 'Hello,');

export function render(input: TemplateInput): Rendered {
  switch (input.template) {
    case 'welcome':
      return compose('Welcome to the Platform', hello(input.fullName), [
        'Your account is ready. You can sign in at any time with your e-mail address.',
      ]);
    case 'password_changed':
      return compose('Your password was changed', hello(input.fullName), [
        `The password of your account was changed on ${input.changedAt}.`,
        'If this was not you, reset your password and contact support immediately.',
      ]);
    case 'invoice_issued': {
      const total = formatMoney(input.totalMinor, input.currency);
      return compose(`Invoice ${input.number} issued`, hello(input.fullName), [
        `Invoice ${input.number} for ${total} has been issued, due on ${input.dueDate}.`,
      ]);
    }
    case 'payment_receipt': {
      const amount = formatMoney(input.amountMinor, input.currency);
      return compose('Payment received', hello(input.fullName), [`We received your payment of ${amount}. Thank you.`]);
    }
  }
}
