export { promtoolCheck } from './promtool.js';
export { declaredSeries, parseExposition, sampleValue, samplesOf, type ParsedSample } from './exposition.js';
