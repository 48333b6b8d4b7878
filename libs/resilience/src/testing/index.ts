export { createTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait-for.js';
export { deferred } from './deferred.js';
