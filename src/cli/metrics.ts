// Pod metrics in the runtime's own format: metricsp (ListPodSandboxMetrics) and metricdescs
// (ListMetricDescriptors).
import { Command, Option } from 'clipanion';
import { renderMessage } from '../output/render.js';
import { CriCommand } from './cri-command.js';
import { reportOutputOption, templateOption } from './options.js';

export class PodMetricsCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['metricsp']];
  static override usage = Command.Usage({
    description:
      "List pod metrics. Metrics are unstructured key/value pairs gathered by CRI meant to replace cAdvisor's /metrics/cadvisor endpoint.",
    examples: [
      ['All pod metrics', 'crictl metricsp'],
      ['Every half second until ctrl-c', 'crictl metricsp --watch'],
    ],
  });

  output = reportOutputOption();
  template = templateOption();
  watch = Option.Boolean('-w,--watch', false, { description: 'Watch pod metrics (every 500 ms, as crictl)' });

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    for (;;) {
      const r = await runtime.listPodSandboxMetrics({});
      this.out(await renderMessage('runtime.v1.ListPodSandboxMetricsResponse', r, this.output, this.template));
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

  output = reportOutputOption();
  template = templateOption();

  async execute(): Promise<number> {
    const r = await (await this.runtime()).listMetricDescriptors({});
    this.out(await renderMessage('runtime.v1.ListMetricDescriptorsResponse', r, this.output, this.template));
    return 0;
  }
}
