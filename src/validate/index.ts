// The conformance runner behind `crictl-ts validate`, built on the public library only.
export { CHECKS } from './checks.js';
export { cleanupByLabel, randomId, RUN_LABEL } from './context.js';
export { loadTestImages } from './images.js';
export { pushUniqueImage } from './registry.js';
export { failedInReport, parseBaseline } from './lists.js';
export { DEFAULT_TEST_IMAGE, handlerProblem, probeRuntime } from './probe.js';
export { githubAnnotations, jsonReport, junitReport, progressLine, summary, tapReport } from './report.js';
export { nowPassing, type RunOptions, runChecks, selectChecks, unexpectedFailures } from './runner.js';
export type { Check, CheckResult, Status } from './types.js';
