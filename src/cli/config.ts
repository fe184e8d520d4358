// `crictl config`: read and write the crictl config file.
import { Command, Option } from 'clipanion';
import { CONFIG_KEYS, loadConfig, parseValueForKey, type ConfigKey, type FileConfig } from '../config/config.js';
import { suggest } from '../errors.js';
import { updateConfigFile } from '../config/write.js';
import { UsageError } from '../errors.js';
import { formatTable } from '../output/table.js';
import { CriCommand } from './cri-command.js';

function checkKey(key: string): ConfigKey {
  if (key in CONFIG_KEYS) return key as ConfigKey;
  const hint = suggest(key, Object.keys(CONFIG_KEYS));
  throw new UsageError(
    `config: unknown key "${key}"${hint ? ` (did you mean ${hint}?)` : ''}; known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`,
  );
}

/** A key as `config --list` shows it: crictl prints its config struct, so a key the file
 *  leaves out shows Go's zero value (false, 0), not an empty cell. */
export function listedValue(key: ConfigKey, values: Readonly<Partial<Record<ConfigKey, unknown>>>): string {
  const value = values[key];
  if (value !== undefined) return String(value);
  const type: string = CONFIG_KEYS[key];
  return type === 'boolean' ? 'false' : type === 'integer' ? '0' : '';
}

export class ConfigCommand extends CriCommand {
  static override offline = true;
  static override paths = [['config']];
  static override usage = Command.Usage({
    description: 'Get and set crictl client configuration options',
    details: `Reads or changes the config file (--config, CRI_CONFIG_FILE, or /etc/crictl.yaml). Writes keep comments and unknown keys and replace the file atomically. Keys: ${Object.keys(CONFIG_KEYS).join(', ')}.`,
    examples: [
      ['Set the runtime endpoint', 'crictl config --set runtime-endpoint=unix:///run/containerd/containerd.sock'],
      ['Same, positional form', 'crictl config runtime-endpoint unix:///run/containerd/containerd.sock'],
      ['Several at once', 'crictl config --set timeout=10,debug=true'],
      ['Read one value', 'crictl config --get runtime-endpoint'],
      ['Show all values', 'crictl config --list'],
    ],
  });

  get = Option.String('--get', { description: 'show the option value' });
  set = Option.Array('--set', [], {
    description: 'set option (can specify multiple or separate values with commas: opt1=val1,opt2=val2)',
  });
  list = Option.Boolean('--list', false, { description: 'show all option value' });
  args = Option.Rest({ name: 'KEY VALUE' });

  async execute(): Promise<number> {
    const { path: configPath, explicit } = this.context.configFile;
    const updates: [ConfigKey, string | number | boolean][] = [];
    for (const item of this.set.flatMap((s) => s.split(','))) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new UsageError(`config --set "${item}": expected KEY=VALUE`);
      const key = checkKey(item.slice(0, eq));
      updates.push([key, parseValueForKey(key, item.slice(eq + 1))]);
    }
    if (this.args.length > 0) {
      if (this.args.length !== 2)
        throw new UsageError(
          'config: expected KEY VALUE (e.g. crictl config runtime-endpoint unix:///run/containerd/containerd.sock)',
        );
      const key = checkKey(this.args[0]);
      updates.push([key, parseValueForKey(key, this.args[1])]);
    }
    if (updates.length > 0) {
      await updateConfigFile(configPath, updates);
      return 0;
    }
    const config = await loadConfig(configPath, explicit);
    for (const w of config.warnings) this.warn(w);
    if (this.get !== undefined) {
      const value = config.values[checkKey(this.get) as keyof FileConfig];
      this.out(value === undefined ? '' : String(value));
      return 0;
    }
    if (this.list) {
      const rows = [['KEY', 'VALUE']];
      for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) rows.push([key, listedValue(key, config.values)]);
      // crictl clears the screen first; only on a terminal here, so piped text stays plain.
      if ((this.context.stdout as NodeJS.WriteStream).isTTY) this.context.stdout.write('\x1b[2J\x1b[H');
      this.context.stdout.write(formatTable(rows));
      return 0;
    }
    throw new UsageError('config: nothing to do; use --get KEY, --set KEY=VALUE, --list, or KEY VALUE');
  }
}
