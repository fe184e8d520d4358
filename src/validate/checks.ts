// Every check, in the order a run goes through them (cheap and basic first).
import { containerChecks } from './checks/container.js';
import { imageChecks } from './checks/image.js';
import { logChecks } from './checks/logs.js';
import { podChecks } from './checks/pod.js';
import { runtimeChecks } from './checks/runtime.js';
import { securityChecks } from './checks/security.js';
import { streamingChecks } from './checks/streaming.js';
import type { Check } from './types.js';

export const CHECKS: readonly Check[] = [
  ...runtimeChecks,
  ...imageChecks,
  ...podChecks,
  ...containerChecks,
  ...logChecks,
  ...streamingChecks,
  ...securityChecks,
];
