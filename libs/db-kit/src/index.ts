export * from './types.js';
export * from './create-db.js';
export * from './ensure-database.js';
export * from './migrations.js';
export * from './transaction.js';
export * from './pagination.js';
export * from './columns.js';
export * from './url.js';
