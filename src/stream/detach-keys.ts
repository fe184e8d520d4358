// Detach keys (docker's --detach-keys format): a key sequence typed on an attached terminal that
// leaves the session without sending those keys on, so the container keeps running.
import { UsageError } from '../errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Control characters reachable as ctrl-<c> besides ctrl-a … ctrl-z. */
const CTRL_EXTRA: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** "ctrl-p,ctrl-q" → [0x10, 0x11]. A key is ctrl-<letter or @[\]^_> or one plain character. */
export function parseDetachKeys(spec: string): number[] {
  const keys: number[] = [];
  for (const part of spec.split(',')) {
    const key = part.trim();
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1];
      if (/^[a-z]$/i.test(c)) keys.push(c.toLowerCase().charCodeAt(0) - 96);
      else if (c in CTRL_EXTRA) keys.push(CTRL_EXTRA[c]);
      else
        throw new UsageError(
          `--detach-keys "${spec}": unknown key "${key}" (use ctrl-a … ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_ or a single character)`,
        );
    } else if (key.length === 1 && key.charCodeAt(0) < 128) {
      keys.push(key.charCodeAt(0));
    } else {
      throw new UsageError(
        `--detach-keys "${spec}": unknown key "${key}" (use ctrl-<key> or a single character, comma-separated)`,
      );
    }
  }
  return keys;
}

/**
 * Watches input bytes for the detach sequence. Bytes that might start the sequence are held
 * back until it is clear whether they do; once it completes, nothing more is forwarded.
 */
export class DetachKeyFilter {
  private matched = 0;
  detached = false;

  constructor(private readonly sequence: readonly number[]) {}

  /** What to forward for `chunk`; `detached` turns true when the sequence completed. */
  feed(chunk: Uint8Array): { forward: Buffer; detached: boolean } {
    if (this.detached) return { forward: Buffer.alloc(0), detached: true };
    if (this.sequence.length === 0) return { forward: Buffer.from(chunk), detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.sequence[this.matched]) {
        this.matched++;
        if (this.matched === this.sequence.length) {
          this.detached = true;
          break;
        }
        continue;
      }
      // A partial match that went wrong: its bytes were real input after all.
      out.push(...this.sequence.slice(0, this.matched));
      this.matched = 0;
      if (byte !== this.sequence[0]) {
        out.push(byte);
      } else if (++this.matched === this.sequence.length) {
        this.detached = true;
        break;
      }
    }
    return { forward: Buffer.from(out), detached: this.detached };
  }
}
