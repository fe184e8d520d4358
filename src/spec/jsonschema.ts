// JSON Schema (draft 2020-12) for config files, generated from the CRI schema itself, so
// editors can validate and complete pod-config/container-config files. Field names are the
// snake_case forms crictl documents (the loader accepts lowerCamelCase too).
import { messageType, type protobuf } from '../cri/schema.js';
import { FIELD_DOCS } from './field-docs.js';

type Schema = Record<string, unknown>;

// The fields the loader insists on (spec/configs.ts): a config without them is refused.
const REQUIRED: Record<string, string[]> = {
  PodSandboxConfig: ['metadata'],
  PodSandboxMetadata: ['name'],
  ContainerConfig: ['metadata', 'image'],
  ContainerMetadata: ['name'],
  ImageSpec: ['image'],
};

/** `logDirectory` → `log_directory`; a leading capital run stays (`CDIDevices` → `CDI_devices`). */
function camelToSnake(name: string): string {
  const lead = /^[A-Z]{2,}(?=[A-Z][a-z])/.exec(name)?.[0] ?? '';
  return lead + name.slice(lead.length).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const SCALARS: Record<string, Schema> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  // The loader reads bytes fields (KeyValue.value: env values) as text, as crictl does; not base64.
  bytes: { type: 'string' },
  double: { type: 'number' },
  float: { type: 'number' },
  int32: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  sint32: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  sfixed32: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  uint32: { type: 'integer', minimum: 0, maximum: 4294967295 },
  fixed32: { type: 'integer', minimum: 0, maximum: 4294967295 },
  int64: { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?(0|[1-9][0-9]*)$' }] },
  sint64: { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?(0|[1-9][0-9]*)$' }] },
  sfixed64: { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?(0|[1-9][0-9]*)$' }] },
  uint64: {
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^(0|[1-9][0-9]*)$' },
    ],
  },
  fixed64: {
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^(0|[1-9][0-9]*)$' },
    ],
  },
};

/** The schema of message `typeName` (e.g. `runtime.v1.PodSandboxConfig`), with its sub-messages in $defs. */
export function jsonSchemaFor(typeName: string, title: string): Schema {
  const defs: Record<string, Schema> = {};
  const ref = (type: protobuf.Type): Schema => {
    const name = type.fullName.replace(/^\.runtime\.v1\./, '');
    if (!defs[name]) {
      defs[name] = {}; // placeholder first: messages may refer to themselves
      defs[name] = messageSchema(type);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const single = (field: protobuf.Field): Schema => {
    const resolved = field.resolvedType;
    if (resolved && 'fieldsArray' in resolved) return ref(resolved as protobuf.Type);
    if (resolved) {
      const values = (resolved as protobuf.Enum).values;
      return { enum: [...Object.keys(values), ...Object.values(values)] };
    }
    return SCALARS[field.type] ?? {};
  };
  const messageSchema = (type: protobuf.Type): Schema => {
    const properties: Record<string, Schema> = {};
    for (const field of type.fieldsArray) {
      let schema: Schema;
      if (field.map) schema = { type: 'object', additionalProperties: single(field) };
      else if (field.repeated) schema = { type: 'array', items: single(field) };
      else schema = single(field);
      const name = camelToSnake(field.name);
      const doc = FIELD_DOCS[`${type.name}.${name}`];
      // With a $ref, a description sits beside it (draft 2020-12 allows sibling keywords).
      properties[name] = doc ? { description: doc, ...schema } : schema;
    }
    const required = REQUIRED[type.name];
    return { type: 'object', properties, ...(required ? { required } : {}), additionalProperties: false };
  };
  const root = messageSchema(messageType(typeName));
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title, ...root, $defs: defs };
}
