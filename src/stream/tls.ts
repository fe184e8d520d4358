// TLS for the streaming connection (--tls-ca, --tls-cert, --tls-key, --tls-sni). With none of
// them, https streaming URLs are not verified, as crictl does (the URL came from the runtime over
// its local socket); with any of them, the server certificate is verified.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export interface StreamTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
}

/** Options for https.request and ws for one streaming connection. */
export function tlsConnectOptions(tls: StreamTls | undefined): {
  rejectUnauthorized: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
} {
  if (!tls || Object.values(tls).every((v) => v === undefined)) return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ca: tls.ca ?? defaultCas(),
    cert: tls.cert,
    key: tls.key,
    servername: tls.servername,
  };
}

/**
 * The CAs trusted when no --tls-ca is given: node's, plus NODE_EXTRA_CA_CERTS. The launcher
 * (dist/crictl) hands that variable over as CRICTL_TS_EXTRA_CA_CERTS, because node reads it at
 * every start (tens of ms for a big bundle) while only this needs it. Undefined: node's defaults.
 */
function defaultCas(): Buffer | undefined {
  const file = process.env.CRICTL_TS_EXTRA_CA_CERTS;
  if (!file) return undefined;
  try {
    return Buffer.concat([Buffer.from(`${rootCertificates.join('\n')}\n`), readFileSync(file)]);
  } catch (err) {
    // What node itself does with an unreadable NODE_EXTRA_CA_CERTS: warn, and go on without it.
    process.stderr.write(
      `crictl: warning: ignoring extra certificates from NODE_EXTRA_CA_CERTS=${file}: ${(err as Error).message}\n`,
    );
    return undefined;
  }
}
