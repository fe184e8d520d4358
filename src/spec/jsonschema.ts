// JSON Schema (draft 2020-12) for config files, generated from the CRI schema itself, so
// editors can validate and complete pod-config/container-config files. Field names are the
// snake_case forms crictl documents (the loader accepts lowerCamelCase too).
import { messageType, type protobuf } from '../cri/schema.js';

type Schema = Record<string, unknown>;

const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

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
  uint64: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^(0|[1-9][0-9]*)$' }] },
  fixed64: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^(0|[1-9][0-9]*)$' }] },
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
      properties[camelToSnake(field.name)] = schema;
    }
    return { type: 'object', properties, additionalProperties: false };
  };
  const root = messageSchema(messageType(typeName));
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title, ...root, $defs: defs };
}
