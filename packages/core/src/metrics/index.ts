export { Exposition, type Labels, type MetricType } from './exposition.js';
export { type RenderMetricsOptions, renderMetrics, walPosition } from './render-metrics.js';
