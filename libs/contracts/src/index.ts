export * from './define-event.js';
export * from './primitives.js';
export * from './envelope.js';
export * from './registry.js';
export * from './streams.js';
export * from './events/users.js';
export * from './events/billing.js';
export * from './events/notifications.js';
