// Pod metrics in the runtime's own format: metricsp (ListPodSandboxMetrics) and metricdescs
// (ListMetricDescriptors).
import { Command, Option } from 'clipanion';
import { renderMessage, type OutputFormat } from '../output/render.js';
import { CriCommand } from './cri-command.js';
import { templateOption } from './list-options.js';

export class PodMetricsCommand extends CriCommand {
  static override paths = [['metricsp']];
  static override usage = Command.Usage({
    description:
      "List pod metrics. Metrics are unstructured key/value pairs gathered by CRI meant to replace cAdvisor's /metrics/cadvisor endpoint.",
    examples: [
      ['All pod metrics', 'crictl metricsp'],
      ['Every half second until ctrl-c', 'crictl metricsp --watch'],
    ],
  });

  output = Option.String('-o,--output', 'json', { description: 'Output format, One of: json, yaml, go-template' });
  template = templateOption();
  watch = Option.Boolean('-w,--watch', false, { description: 'Watch pod metrics (every 500 ms, as crictl)' });

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'go-template']);
    const runtime = await this.runtime();
    for (;;) {
      const r = await runtime.listPodSandboxMetrics({});
      this.out(
        await renderMessage('runtime.v1.ListPodSandboxMetricsResponse', r, this.output as OutputFormat, this.template),
      );
      if (!this.watch) return 0;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export class MetricDescriptorsCommand extends CriCommand {
  static override paths = [['metricdescs']];
  static override usage = Command.Usage({
    description: 'List metric descriptors. Returns information about the metrics available through the CRI.',
    examples: [['All descriptors', 'crictl metricdescs']],
  });

  output = Option.String('-o,--output', 'json', { description: 'Output format, One of: json, yaml, go-template' });
  template = templateOption();

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'go-template']);
    const r = await (await this.runtime()).listMetricDescriptors({});
    this.out(
      await renderMessage('runtime.v1.ListMetricDescriptorsResponse', r, this.output as OutputFormat, this.template),
    );
    return 0;
  }
}
