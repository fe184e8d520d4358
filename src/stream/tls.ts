// TLS for the streaming connection (--tls-ca, --tls-cert, --tls-key, --tls-sni). With none of
// them, https streaming URLs are not verified, as crictl does (the URL came from the runtime over
// its local socket); with any of them, the server certificate is verified.

export interface StreamTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
}

/** Options for https.request and ws for one streaming connection. */
export function tlsConnectOptions(tls: StreamTls | undefined): { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string } {
  if (!tls || Object.values(tls).every((v) => v === undefined)) return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername };
}
