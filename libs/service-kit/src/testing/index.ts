export { createTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { createTestServiceEnv, type TestServiceEnv } from './test-service-env.js';
export { describeServiceBoot, type ServiceBootSuite } from './describe-service-boot.js';
