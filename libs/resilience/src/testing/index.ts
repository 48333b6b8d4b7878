export { createTcpProxy, type TcpProxy } from './tcp-proxy.js';
