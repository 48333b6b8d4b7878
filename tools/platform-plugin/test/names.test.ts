import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './support/scratch-workspace.js';

type Tree = { listChanges(): unknown[]; read(path: string, encoding: 'utf-8'): string | null };
const require = createRequire(import.meta.url);
const { FsTree } = require('nx/src/generators/tree') as { FsTree: new (root: string, verbose: boolean) => Tree };
const generator = require('../src/generators/service/generator.cjs') as (tree: Tree, options: Record<string, unknown>) => Promise<unknown>;

/** The real workspace seen through a devkit Tree that is never flushed: nothing here touches the disk. */
const workspaceTree = () => new FsTree(workspaceRoot, false);

describe('service generator: names', () => {
  it.each([
    ['Loyalty', /not kebab-case/],
    ['order_books', /not kebab-case/],
    ['order--books', /not kebab-case/],
    ['-orders', /not kebab-case/],
    ['9lives', /not kebab-case/],
    ['orders-', /not kebab-case/],
    ['', /a service name is required/],
    ['a'.repeat(31), /longer than 30 characters/],
    ['gateway', /reserved word/],
    ['e2e', /reserved word/],
    ['console', /reserved word/],
    ['platform', /reserved word/],
    ['tools', /reserved word/],
    ['api', /reserved word/],
    ['billing', /an existing project/],
    ['users', /an existing project/],
    ['contracts', /an existing project/],
  ])('refuses %j with one line and changes nothing', async (name, reason) => {
    const tree = workspaceTree();
    const error = await generator(tree, { name, skipInstall: true }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(reason);
    expect(error?.message).toMatch(/^Cannot create the service: [^\n]+\.$/);
    expect(tree.listChanges()).toEqual([]);
  });

  it('refuses an entity that is not one lower-case word, and a port an app already has', async () => {
    for (const [options, reason] of [
      [{ name: 'loyalty', entity: 'Line-Item' }, /entity "Line-Item" must be one lower-case word/],
      [{ name: 'loyalty', port: 3002 }, /port 3002 is already an app's/],
    ] as const) {
      const tree = workspaceTree();
      await expect(generator(tree, { ...options, skipInstall: true })).rejects.toThrow(reason);
      expect(tree.listChanges()).toEqual([]);
    }
  });

  it('accepts a hyphenated name: its variables, database, stream and subject use underscores', async () => {
    const tree = workspaceTree();
    await generator(tree, { name: 'order-books', entity: 'entry', skipInstall: true });
    expect(tree.read('apps/gateway/src/upstreams.ts', 'utf-8')).toContain(`'order-books': { defaultUrl: 'http://127.0.0.1:3006', prefixes: ['/api/v1/order-books'] },`);
    const env = tree.read('.env.example', 'utf-8');
    expect(env).toContain('ORDER_BOOKS_PORT=3006');
    expect(env).toContain('ORDER_BOOKS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/order_books');
    expect(env).toContain('ORDER_BOOKS_URL=http://127.0.0.1:3006');
    expect(tree.read('libs/contracts/src/streams.ts', 'utf-8')).toContain(`order_books: { name: 'ORDER_BOOKS', subjects: ['order_books.>'] },`);
    expect(tree.read('libs/contracts/src/events/order-books.ts', 'utf-8')).toContain(`export const orderBooksEntryCreatedV1 = defineEvent({\n  source: 'order_books',`);
    expect(tree.read('apps/order-books/src/routes/entry-routes.ts', 'utf-8')).toContain(`'/entries'`);
    expect(tree.read('eslint.config.mjs', 'utf-8')).toMatch(/\|order-books\|e2e\)\(\/\.\*\)\?\$/);
  });
});
