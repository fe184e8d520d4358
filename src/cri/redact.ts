// Secrets never reach --debug output. Which fields are secret is a fact of the schema: the
// CRI marks them `[debug_redact = true]` (AuthConfig's password, auth, identity_token,
// registry_token), so the list is read from there rather than kept by hand.
import { schemaRoot, type protobuf } from './schema.js';

export const REDACTED = '<redacted>';

let secretNames: Set<string> | undefined;

/** JSON names of every field the schema marks debug_redact. */
export function secretFields(): Set<string> {
  if (!secretNames) {
    const names = new Set<string>();
    const walk = (ns: protobuf.NamespaceBase) => {
      for (const child of ns.nestedArray) {
        if ('fieldsArray' in child) {
          for (const f of (child as protobuf.Type).fieldsArray) if (f.options?.debug_redact) names.add(f.name);
        }
        if ('nestedArray' in child) walk(child as protobuf.NamespaceBase);
      }
    };
    walk(schemaRoot());
    secretNames = names;
  }
  return secretNames;
}

/**
 * A streaming URL (Exec/Attach/PortForward `url`) with its last path segment, a one-time
 * token, masked: whoever reads it could run commands in the container until it expires.
 */
export function redactStreamingUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/[^/]+$/, '/…')}`;
  } catch {
    // Not a URL: keep no more than what precedes the last slash.
    const cut = url.lastIndexOf('/');
    return cut < 0 ? '…' : `${url.slice(0, cut)}/…`;
  }
}

/** A deep copy of `value` with every secret field (and streaming URL tokens) masked; bytes (env
 *  values) as their text when they are UTF-8, else as base64. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const text = bytes.toString('utf8');
    return Buffer.from(text, 'utf8').equals(bytes) ? text : `base64:${bytes.toString('base64')}`;
  }
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const secrets = secretFields();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Secret fields are strings; PullImageRequest.auth (an AuthConfig) is walked into instead.
      if (k === 'url' && typeof v === 'string')
        out[k] = redactStreamingUrl(v); // the only `url` fields are streaming URLs
      else out[k] = secrets.has(k) && typeof v === 'string' && v !== '' ? REDACTED : redact(v);
    }
    return out;
  }
  return value;
}
