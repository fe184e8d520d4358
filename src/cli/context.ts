// What every command gets: standard streams, the resolved settings, and CRI clients opened on
// first use (so `--help`, `config` and `completion` never touch a socket or load gRPC).
import type { BaseContext } from 'clipanion';
import type { CriClients } from '../cri/client.js';
import type { Settings } from '../config/settings.js';

export interface CliContext extends BaseContext {
  /** Settings from flags, environment and config file; resolved once, on first call. */
  settings(): Promise<Settings>;
  /** CRI clients for the configured endpoints; connected once, on first call. */
  cri(): Promise<CriClients>;
  /** The config file this run uses (from --config, CRI_CONFIG_FILE or the default), not yet read. */
  configFile: { path: string; explicit: boolean };
}
