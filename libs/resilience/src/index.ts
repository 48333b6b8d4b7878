export { infrastructureFaultCode, isInfrastructureFault } from './infrastructure-fault.js';
export { createDependencyMonitor, type DependencyMonitor, type DependencyMonitorOptions, type DependencyState } from './dependency-monitor.js';
export { backoff, pause, waitOut, type Backoff } from './wait-out.js';
export { withDeadline } from './with-deadline.js';
