export { Exposition, type Labels, type MetricType } from './exposition.js';
export { type RenderMetricsOptions, renderMetrics } from './render-metrics.js';
