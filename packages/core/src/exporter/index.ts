export {
  DEFAULT_EXPORTER_PORT,
  type Exporter,
  type ExporterEvent,
  type ExporterOptions,
  ExporterOptionsError,
  type ExporterStanza,
  startExporter,
} from './exporter.js';
export type { RefreshErrorKind } from './exporter-metrics.js';
