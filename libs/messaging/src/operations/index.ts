// Operator tooling (the `npm run events` CLI, the console): plain functions returning JSON-able data.
export * from './dead-letters.js';
export * from './redrive.js';
export * from './status.js';
