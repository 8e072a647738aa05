/** Type of a metric family in the Prometheus text format. */
export type MetricType = 'gauge' | 'counter' | 'untyped';

/** Label names and values of one sample. */
export type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly help: string;
  readonly type: MetricType;
  readonly samples: { labels: Labels; value: number }[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * Collects metric families and renders them in the Prometheus text exposition format (version 0.0.4):
 * `# HELP` and `# TYPE` once per family, samples of a family together, label values escaped.
 *
 * @example
 * const exposition = new Exposition();
 * exposition.gauge('pgbackrest_stanza_status', 'Stanza status code.', { stanza: 'main' }, 0);
 * exposition.render(); // '# HELP pgbackrest_stanza_status Stanza status code.\n# TYPE …'
 */
export class Exposition {
  readonly #families = new Map<string, Family>();

  /** Adds one gauge sample. */
  gauge(name: string, help: string, labels: Labels, value: number): this {
    return this.#add(name, 'gauge', help, labels, value);
  }

  /** Adds one counter sample; counter names end in `_total`. */
  counter(name: string, help: string, labels: Labels, value: number): this {
    if (!name.endsWith('_total')) throw new RangeError(`counter ${name} must end in _total`);
    return this.#add(name, 'counter', help, labels, value);
  }

  /** Declares a family without samples yet, so its HELP/TYPE appear even when empty. */
  declare(name: string, type: MetricType, help: string): this {
    this.#family(name, type, help);
    return this;
  }

  #family(name: string, type: MetricType, help: string): Family {
    if (!METRIC_NAME.test(name)) throw new RangeError(`invalid metric name ${name}`);
    if (type !== 'counter' && name.endsWith('_total')) throw new RangeError(`${name}: _total is for counters only`);
    let family = this.#families.get(name);
    if (!family) {
      family = { help, type, samples: [] };
      this.#families.set(name, family);
    } else if (family.type !== type) {
      throw new RangeError(`metric ${name} declared as ${family.type} and ${type}`);
    }
    return family;
  }

  #add(name: string, type: MetricType, help: string, labels: Labels, value: number): this {
    for (const label of Object.keys(labels)) {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new RangeError(`invalid label name ${label}`);
    }
    this.#family(name, type, help).samples.push({ labels, value });
    return this;
  }

  /** The exposition text, ending in a newline. */
  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.#families) {
      lines.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`);
      for (const sample of family.samples) {
        const labels = Object.entries(sample.labels)
          .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
          .join(',');
        lines.push(`${name}${labels ? `{${labels}}` : ''} ${formatValue(sample.value)}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}
