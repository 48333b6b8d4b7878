/** Every table of the analytics database; drizzle-kit generates `drizzle/` migrations from this file. */
export { inboxTable, outboxTable } from '@platform/messaging';
