/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text format.
 * Kept in the engine so the server only renders what the engine counted.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { help, type, values: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name, 'counter', help);
    const key = labelKey(labels);
    const cur = f.values.get(key);
    if (cur) cur.value += by;
    else f.values.set(key, { labels, value: by });
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    const f = this.family(name, 'gauge', help);
    f.values.set(labelKey(labels), { labels, value });
  }

  get(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelKey(labels))?.value ?? 0;
  }

  /** Every labelled value of one family, for views that sum across labels (the dashboard). */
  series(name: string): Array<{ labels: Labels; value: number }> {
    return [...(this.families.get(name)?.values.values() ?? [])].map((v) => ({
      labels: { ...v.labels },
      value: v.value,
    }));
  }

  render(extraGauges: Array<{ name: string; help: string; labels?: Labels; value: number }> = []): string {
    const out: string[] = [];
    const extra = new Map<string, Family>();
    for (const g of extraGauges) {
      const f = extra.get(g.name) ?? { help: g.help, type: 'gauge' as const, values: new Map() };
      f.values.set(labelKey(g.labels ?? {}), { labels: g.labels ?? {}, value: g.value });
      extra.set(g.name, f);
    }
    for (const [name, f] of [...this.families, ...extra]) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const { labels, value } of f.values.values()) out.push(`${name}${renderLabels(labels)} ${value}`);
    }
    return out.join('\n') + '\n';
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${keys.map((k) => `${k}="${esc(labels[k] ?? '')}"`).join(',')}}`;
}
