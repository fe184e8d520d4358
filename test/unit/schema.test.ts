// The CRI schema in cri-api/ must carry the wire facts crictl relies on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { messageType, requestType, serviceMethods, serviceType } from '../../src/cri/schema.js';

const parsed = protobuf.parse(readFileSync(new URL('../../cri-api/api.proto', import.meta.url), 'utf8'), {
  keepCase: true,
}).root;
parsed.resolveAll();

/** Every rpc crictl calls, with [request, response, server-streaming]. */
const CRICTL_RPCS: Record<string, Record<string, [string, string, boolean?]>> = {
  RuntimeService: {
    Version: ['VersionRequest', 'VersionResponse'],
    RunPodSandbox: ['RunPodSandboxRequest', 'RunPodSandboxResponse'],
    StopPodSandbox: ['StopPodSandboxRequest', 'StopPodSandboxResponse'],
    RemovePodSandbox: ['RemovePodSandboxRequest', 'RemovePodSandboxResponse'],
    PodSandboxStatus: ['PodSandboxStatusRequest', 'PodSandboxStatusResponse'],
    ListPodSandbox: ['ListPodSandboxRequest', 'ListPodSandboxResponse'],
    CreateContainer: ['CreateContainerRequest', 'CreateContainerResponse'],
    StartContainer: ['StartContainerRequest', 'StartContainerResponse'],
    StopContainer: ['StopContainerRequest', 'StopContainerResponse'],
    RemoveContainer: ['RemoveContainerRequest', 'RemoveContainerResponse'],
    ListContainers: ['ListContainersRequest', 'ListContainersResponse'],
    ContainerStatus: ['ContainerStatusRequest', 'ContainerStatusResponse'],
    UpdateContainerResources: ['UpdateContainerResourcesRequest', 'UpdateContainerResourcesResponse'],
    ReopenContainerLog: ['ReopenContainerLogRequest', 'ReopenContainerLogResponse'],
    ExecSync: ['ExecSyncRequest', 'ExecSyncResponse'],
    Exec: ['ExecRequest', 'ExecResponse'],
    Attach: ['AttachRequest', 'AttachResponse'],
    PortForward: ['PortForwardRequest', 'PortForwardResponse'],
    ContainerStats: ['ContainerStatsRequest', 'ContainerStatsResponse'],
    ListContainerStats: ['ListContainerStatsRequest', 'ListContainerStatsResponse'],
    PodSandboxStats: ['PodSandboxStatsRequest', 'PodSandboxStatsResponse'],
    ListPodSandboxStats: ['ListPodSandboxStatsRequest', 'ListPodSandboxStatsResponse'],
    UpdateRuntimeConfig: ['UpdateRuntimeConfigRequest', 'UpdateRuntimeConfigResponse'],
    Status: ['StatusRequest', 'StatusResponse'],
    CheckpointContainer: ['CheckpointContainerRequest', 'CheckpointContainerResponse'],
    GetContainerEvents: ['GetEventsRequest', 'ContainerEventResponse', true],
    ListMetricDescriptors: ['ListMetricDescriptorsRequest', 'ListMetricDescriptorsResponse'],
    ListPodSandboxMetrics: ['ListPodSandboxMetricsRequest', 'ListPodSandboxMetricsResponse'],
    RuntimeConfig: ['RuntimeConfigRequest', 'RuntimeConfigResponse'],
  },
  ImageService: {
    ListImages: ['ListImagesRequest', 'ListImagesResponse'],
    ImageStatus: ['ImageStatusRequest', 'ImageStatusResponse'],
    PullImage: ['PullImageRequest', 'PullImageResponse'],
    RemoveImage: ['RemoveImageRequest', 'RemoveImageResponse'],
    ImageFsInfo: ['ImageFsInfoRequest', 'ImageFsInfoResponse'],
  },
};

test('every rpc crictl uses exists with the right types, in the proto and the built descriptor', () => {
  for (const [service, rpcs] of Object.entries(CRICTL_RPCS)) {
    const fromProto = parsed.lookupService(`runtime.v1.${service}`);
    const fromDescriptor = serviceType(service as 'RuntimeService' | 'ImageService');
    for (const [name, [req, res, stream]] of Object.entries(rpcs)) {
      for (const svc of [fromProto, fromDescriptor]) {
        const m = svc.methods[name];
        assert.ok(m, `${service}.${name} missing`);
        assert.equal(m.requestType, req, `${service}.${name} request`);
        assert.equal(m.responseType, res, `${service}.${name} response`);
        assert.equal(Boolean(m.responseStream), Boolean(stream), `${service}.${name} streaming`);
        assert.equal(Boolean(m.requestStream), false);
      }
    }
  }
});

test('key messages carry upstream field numbers and types', () => {
  const fields = (name: string) =>
    Object.fromEntries(
      parsed
        .lookupType(`runtime.v1.${name}`)
        .fieldsArray.map((f) => [
          f.name,
          `${f.repeated ? 'repeated ' : ''}${f instanceof protobuf.MapField ? `map<${f.keyType},${f.type}>` : f.type}=${f.id}`,
        ]),
    );
  const container = fields('Container');
  assert.equal(container.id, 'string=1');
  assert.equal(container.pod_sandbox_id, 'string=2');
  assert.equal(container.metadata, 'ContainerMetadata=3');
  assert.equal(container.image, 'ImageSpec=4');
  assert.equal(container.image_ref, 'string=5');
  assert.equal(container.state, 'ContainerState=6');
  assert.equal(container.created_at, 'int64=7');
  assert.equal(container.labels, 'map<string,string>=8');
  assert.equal(container.annotations, 'map<string,string>=9');
  const pod = fields('PodSandboxConfig');
  assert.equal(pod.metadata, 'PodSandboxMetadata=1');
  assert.equal(pod.log_directory, 'string=3');
  assert.equal(pod.port_mappings, 'repeated PortMapping=5');
  assert.equal(pod.linux, 'LinuxPodSandboxConfig=8');
  const image = fields('Image');
  assert.equal(image.size, 'uint64=4');
  assert.equal(image.uid, 'Int64Value=5');
  const states = parsed.lookupEnum('runtime.v1.ContainerState').values;
  assert.deepEqual(
    { ...states },
    { CONTAINER_CREATED: 0, CONTAINER_RUNNING: 1, CONTAINER_EXITED: 2, CONTAINER_UNKNOWN: 3 },
  );
});

test('the run-time descriptor uses JSON names in declaration order', () => {
  assert.deepEqual(
    messageType('runtime.v1.Container')
      .fieldsArray.slice(0, 4)
      .map((f) => f.name),
    ['id', 'podSandboxId', 'metadata', 'image'],
  );
});

// How responses decode (int64, strings, malformed input): test/unit/decode.test.ts.

/** A value for every field of `type` (nested messages to a few levels), for encoding checks. */
function sample(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const resolved = field.resolvedType;
    let one: unknown;
    if (resolved instanceof protobuf.Type) {
      if (depth >= 4) continue;
      one = sample(resolved, depth + 1);
    } else if (resolved instanceof protobuf.Enum) one = Object.keys(resolved.values).at(-1);
    else if (field.type === 'string') one = `v-${field.name}`;
    else if (field.type === 'bool') one = true;
    else if (field.type === 'bytes') one = Buffer.from('bytes');
    else if (/64$/.test(field.type))
      one = field.type.startsWith('u') || field.type.startsWith('fixed') ? '9007199254740993' : '-9007199254740993';
    else if (field.type === 'double' || field.type === 'float') one = 1.5;
    else one = field.type.startsWith('u') || field.type.startsWith('fixed') ? 7 : -7;
    value[field.name] = field.map ? { k1: one, k2: one } : field.repeated ? [one, one] : one;
  }
  return value;
}

test("services' rpcs as read from the descriptor match the built schema's", () => {
  for (const service of ['RuntimeService', 'ImageService'] as const) {
    assert.deepEqual(
      serviceMethods(service),
      serviceType(service).methodsArray.map((m) => ({
        name: m.name,
        requestType: m.requestType,
        responseType: m.responseType,
        responseStream: Boolean(m.responseStream),
      })),
    );
  }
});

test('every request type built on its own encodes exactly as in the whole schema', () => {
  for (const service of ['RuntimeService', 'ImageService'] as const) {
    for (const { requestType: name } of serviceMethods(service)) {
      const whole = messageType(`runtime.v1.${name}`);
      const alone = requestType(name);
      assert.deepEqual(alone.toJSON(), whole.toJSON(), name);
      const value = sample(whole);
      const bytes = (t: protobuf.Type) => Buffer.from(t.encode(t.fromObject(value)).finish());
      assert.ok(bytes(alone).equals(bytes(whole)), `${name} encodes alike`);
    }
  }
});
