// The inspect family prints a status message together with the runtime's `info` map, whose
// values are JSON documents in a string: they are embedded as objects (as crictl does), in
// sorted key order after "status". Several objects print as one JSON array.
import { indentJson, isJson } from '../output/json-indent.js';
import { renderJsonText, type OutputFormat } from '../output/render.js';

export interface StatusWithInfo {
  status: unknown;
  info: Record<string, string>;
  /** Extra raw JSON members placed after status (e.g. runtimeHandlers for `info`). */
  extra?: Record<string, string>;
}

/** Compact JSON of one status+info object, built from text so info values stay exact. */
export async function statusInfoJson(statusType: string, item: StatusWithInfo): Promise<string> {
  const { goJsonString, messageToJson } = await import('../output/protojson.js');
  const members = [`"status":${messageToJson(statusType, item.status)}`];
  for (const [k, v] of Object.entries(item.extra ?? {})) members.push(`${goJsonString(k)}:${v}`);
  for (const k of Object.keys(item.info).sort()) {
    const v = item.info[k];
    members.push(`${goJsonString(k)}:${isJson(v) ? v : goJsonString(v)}`);
  }
  return `{${members.join(',')}}`;
}

export async function printStatusInfo(
  stdout: NodeJS.WritableStream,
  statusType: string,
  items: readonly StatusWithInfo[],
  format: OutputFormat,
  template?: string,
): Promise<void> {
  const docs = await Promise.all(items.map((item) => statusInfoJson(statusType, item)));
  if (format === 'go-template') {
    for (const doc of docs) stdout.write(`${await renderJsonText(doc, format, template)}\n`);
    return;
  }
  const json = indentJson(docs.length === 1 ? docs[0] : `[${docs.join(',')}]`);
  stdout.write(`${await renderJsonText(json, format, template)}\n`);
}
