import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemaRoot, type protobuf } from '../../src/cri/schema.js';
import { formatFloat, messageToJson, piecewiseJson, protoJsonString } from '../../src/output/protojson.js';

test('ListContainersResponse prints like crictl master (protojson): camelCase, defaults, int64 strings, enum names', () => {
  const json = messageToJson('runtime.v1.ListContainersResponse', {
    containers: [
      {
        id: 'c1',
        podSandboxId: 'p1',
        metadata: { name: 'busybox', attempt: 0 },
        image: null,
        imageRef: 'sha256:abc',
        state: 'CONTAINER_RUNNING',
        createdAt: '1700000000000000000',
        labels: { b: '2', a: '1' },
        annotations: {},
      },
    ],
  });
  const parsed = JSON.parse(json);
  const c = parsed.containers[0];
  assert.equal(c.createdAt, '1700000000000000000');
  assert.equal(c.state, 'CONTAINER_RUNNING');
  assert.equal('image' in c, false, 'an unset message is left out (jsonpb wrote null)');
  assert.deepEqual(Object.keys(c.labels), ['a', 'b']);
  assert.deepEqual(c.annotations, {});
  // Declaration order, two-space indent, empty map inline.
  assert.match(
    json,
    /^\{\n {2}"containers": \[\n {4}\{\n {6}"id": "c1",\n {6}"podSandboxId": "p1",\n {6}"metadata": \{\n {8}"name": "busybox",\n {8}"attempt": 0\n {6}\},/,
  );
  assert.match(json, /"annotations": \{\}/);
});

test('empties and escapes are byte-identical to crictl master (protojson with EmitDefaultValues)', () => {
  assert.equal(messageToJson('runtime.v1.ListContainersResponse', { containers: [] }), '{\n  "containers": []\n}');
  assert.equal(messageToJson('runtime.v1.StopPodSandboxResponse', {}), '{}');
  assert.equal(protoJsonString('a"\\\n\b\f\u0001\u007fé<&>\u2028'), '"a\\"\\\\\\n\\b\\f\\u0001\\u007fé<&>\u2028"');
  assert.equal(formatFloat(1e21), '1e+21');
  assert.equal(formatFloat(1.5e-7), '1.5e-7');
  assert.equal(formatFloat(0.5), '0.5');
  assert.equal(formatFloat(Number.NaN), '"NaN"');
  const json = messageToJson('runtime.v1.VersionResponse', {
    version: '<a&b>\u007f',
    runtimeName: '',
    runtimeVersion: '',
    runtimeApiVersion: '',
  });
  assert.match(json, /"version": "<a&b>\\u007f"/);
});

// The fast path (JSON.stringify, then patches) against the piecewise writer, over every message
// type of the schema, with values chosen to hit each patch: empty lists and maps, strings that
// need Go's escapes or end in "[]", index-like map keys, floats JSON.stringify spells otherwise.
test('the JSON.stringify path prints every message type exactly like the piecewise writer', () => {
  const TRICKY = [
    '',
    'plain',
    'del\u007f',
    'a<b>&c',
    'x\u2028y\u2029',
    'bell\b form\f',
    'q"uote\\back\\bslash',
    'ends in []',
    'ends in {}',
    '[]',
    'tab\tnl\n\u0001',
    'é✓😀',
  ];
  let seed = 7;
  const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
  const sampleValue = (type: protobuf.Type, depth: number, variant: number): Record<string, unknown> | null => {
    if (depth > 4 || (variant === 2 && depth > 0)) return null;
    const v: Record<string, unknown> = {};
    for (const field of type.fieldsArray) {
      const sample = (): unknown => {
        const r = field.resolvedType;
        if (r && 'fieldsArray' in r) return sampleValue(r as protobuf.Type, depth + 1, variant);
        if (r) return pick([...Object.keys((r as protobuf.Enum).values), 7]);
        switch (field.type) {
          case 'string':
            return pick(TRICKY);
          case 'bool':
            return pick([true, false]);
          case 'bytes':
            return Buffer.from(pick(TRICKY));
          case 'double':
          case 'float':
            return pick([0, 0.25, 12.5, 1e-7, 3e21]);
          case 'int64':
          case 'uint64':
          case 'sint64':
          case 'fixed64':
          case 'sfixed64':
            return pick(['0', '1700000000123456789', '-5']);
          default:
            return pick([0, 1, 4096]);
        }
      };
      if (field.partOf && variant !== 0) continue;
      if (field.map)
        v[field.name] =
          variant === 1
            ? {}
            : Object.fromEntries([pick(TRICKY), pick(TRICKY), variant === 3 ? '10' : 'k'].map((k) => [k, sample()]));
      else if (field.repeated) v[field.name] = variant === 1 ? [] : [sample(), sample()];
      else v[field.name] = sample();
    }
    return v;
  };
  const types: protobuf.Type[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const n of ns.nestedArray) {
      if ('fieldsArray' in n) types.push(n as protobuf.Type);
      if ('nestedArray' in n) walk(n as protobuf.NamespaceBase);
    }
  };
  walk(schemaRoot());
  assert.ok(types.length > 100, `found ${types.length} message types`);
  for (const type of types) {
    for (const variant of [0, 1, 2, 3]) {
      const value = sampleValue(type, 0, variant);
      assert.equal(
        messageToJson(type.fullName.slice(1), value),
        piecewiseJson(type, value),
        `${type.fullName} variant ${variant}`,
      );
    }
  }
});
