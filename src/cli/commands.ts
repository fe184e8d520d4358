// Every command crictl-ts offers, in one list (the CLI registers these; completion reads them),
// and what start-up needs to know of the one on a command line.
import type { CommandClass } from 'clipanion';
import { matchPath } from './argv.js';
import type { CliContext } from './context.js';
import { AttachCommand } from './attach.js';
import { CompletionCommand } from './completion.js';
import { ConfigCommand } from './config.js';
import { DoctorCommand } from './doctor.js';
import {
  CreateContainerCommand,
  InspectCommand,
  PsCommand,
  RemoveContainerCommand,
  RunContainerCommand,
  StartContainerCommand,
  StopContainerCommand,
} from './containers.js';
import { CheckpointCommand, UpdateCommand } from './container-ops.js';
import { EventsCommand } from './events.js';
import { ExecCommand } from './exec.js';
import { LoadCommand, SaveCommand, TagCommand } from './image-transfer.js';
import { ImageFsInfoCommand, ImagesCommand, InspectImageCommand, PullCommand, RemoveImageCommand } from './images.js';
import { LogsCommand } from './logs.js';
import {
  CreateJsonSchemaCommand,
  PullJsonSchemaCommand,
  RunJsonSchemaCommand,
  RunPodJsonSchemaCommand,
} from './jsonschema.js';
import { MetricDescriptorsCommand, PodMetricsCommand } from './metrics.js';
import { InspectPodCommand, PodsCommand, RemovePodCommand, RunPodCommand, StopPodCommand } from './pods.js';
import { PortForwardCommand } from './port-forward.js';
import { InfoCommand, RuntimeConfigCommand, UpdateRuntimeConfigCommand, VersionCommand } from './runtime-info.js';
import { PodStatsCommand, StatsCommand } from './stats.js';
import { TemplateCommand } from './template.js';
import { TopCommand } from './top.js';
import { ValidateCommand } from './validate.js';

/** A command class with the facts CriCommand declares (every command extends it). */
type CommandWithFacts = CommandClass<CliContext> & { longRunning: boolean; offline: boolean };

export const COMMANDS: CommandWithFacts[] = [
  VersionCommand,
  InfoCommand,
  RuntimeConfigCommand,
  PodsCommand,
  InspectPodCommand,
  RunPodCommand,
  StopPodCommand,
  RemovePodCommand,
  PsCommand,
  InspectCommand,
  CreateContainerCommand,
  StartContainerCommand,
  StopContainerCommand,
  RemoveContainerCommand,
  RunContainerCommand,
  ExecCommand,
  AttachCommand,
  PortForwardCommand,
  LogsCommand,
  ImagesCommand,
  InspectImageCommand,
  ImageFsInfoCommand,
  PullCommand,
  RemoveImageCommand,
  LoadCommand,
  SaveCommand,
  TagCommand,
  StatsCommand,
  PodStatsCommand,
  UpdateCommand,
  CheckpointCommand,
  EventsCommand,
  PodMetricsCommand,
  MetricDescriptorsCommand,
  UpdateRuntimeConfigCommand,
  RunPodJsonSchemaCommand,
  CreateJsonSchemaCommand,
  RunJsonSchemaCommand,
  PullJsonSchemaCommand,
  ConfigCommand,
  CompletionCommand,
  DoctorCommand,
  TopCommand,
  TemplateCommand,
  ValidateCommand,
];

/** The facts of the command `words` (the command line after the global flags) name; none for no
 *  command, `help` or a word that is no command, which never reach the runtime. */
export function commandFacts(words: readonly string[]): { longRunning: boolean; offline: boolean } {
  const command = matchPath(words, COMMANDS)?.command as CommandWithFacts | undefined;
  return { longRunning: command?.longRunning ?? false, offline: command?.offline ?? true };
}
