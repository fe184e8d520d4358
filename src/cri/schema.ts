// The CRI v1 schema at run time: a protobufjs Root built from the descriptor that
// scripts/gen-schema.mjs precompiled from cri-api/api.proto (no .proto parsing at start-up).
import protobuf from 'protobufjs/light.js';
import descriptor from './generated/descriptor.json' with { type: 'json' };
import type { MessageName } from './generated/types.js';

export type { protobuf };

let root: protobuf.Root | undefined;

/** The schema root, built on first use. */
export function schemaRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  return root;
}

/** A message type by its full name, e.g. `runtime.v1.Container`. */
export function messageType(name: MessageName | string): protobuf.Type {
  return schemaRoot().lookupType(name);
}

/** A service by name (`RuntimeService` or `ImageService`). */
export function serviceType(name: 'RuntimeService' | 'ImageService'): protobuf.Service {
  return schemaRoot().lookupService(`runtime.v1.${name}`);
}

/** How protobufjs-decoded messages become plain objects (containerd's API; the CRI has its own
 *  decoders): int64 as strings, enums by name, every field present. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
};
