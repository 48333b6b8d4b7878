export { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
export { createTestServiceEnv, type TestServiceEnv } from './test-service-env.js';
export { consumerSeries, describeServiceBoot, type ServiceBootSuite } from './describe-service-boot.js';
