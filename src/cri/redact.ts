// Secrets never reach --debug output: credential fields are masked wherever they appear.
const SECRET_KEYS = new Set(['auth', 'password', 'registryToken', 'identityToken', 'registry_token', 'identity_token']);

export const REDACTED = '<redacted>';

/** A deep copy of `value` with every credential field replaced by a marker. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.has(k) && v !== '' && v != null ? REDACTED : redact(v);
    }
    return out;
  }
  return value;
}
