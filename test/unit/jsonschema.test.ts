// `jsonschema`: field descriptions and the fields the loader requires.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadContainerConfig, loadPodConfig } from '../../src/spec/configs.js';
import { jsonSchemaFor } from '../../src/spec/jsonschema.js';
import { tempDir } from '../tmp.js';

type Obj = { properties: Record<string, { description?: string; $ref?: string }>; required?: string[] };
type Root = Obj & { $defs: Record<string, Obj> };

test('required fields are the ones the loader refuses to go without', async () => {
  const pod = jsonSchemaFor('runtime.v1.PodSandboxConfig', 'p') as Root;
  const ctr = jsonSchemaFor('runtime.v1.ContainerConfig', 'c') as Root;
  assert.deepEqual(pod.required, ['metadata']);
  assert.deepEqual(pod.$defs.PodSandboxMetadata.required, ['name']);
  assert.deepEqual(ctr.required, ['metadata', 'image']);
  assert.deepEqual(ctr.$defs.ContainerMetadata.required, ['name']);
  assert.deepEqual(ctr.$defs.ImageSpec.required, ['image']);
  // ... and the loader does refuse each of them missing.
  const dir = tempDir('jsonschema-');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  await assert.rejects(loadPodConfig(file('p1.yaml', 'hostname: x\n')), /metadata: required/);
  await assert.rejects(loadPodConfig(file('p2.yaml', 'metadata: {uid: x}\n')), /metadata\.name: required/);
  await assert.rejects(loadContainerConfig(file('c1.yaml', 'image: {image: x}\n')), /metadata: required/);
  await assert.rejects(loadContainerConfig(file('c2.yaml', 'metadata: {name: x}\n')), /image\.image: required/);
});

test('fields carry descriptions, beside $ref too; names are those the loader reads', async () => {
  const ctr = jsonSchemaFor('runtime.v1.ContainerConfig', 'c') as Root;
  assert.match(ctr.properties.log_path.description ?? '', /relative to the pod's log_directory/);
  assert.equal(ctr.properties.image.$ref, '#/$defs/ImageSpec');
  assert.match(ctr.properties.image.description ?? '', /required/);
  assert.match(ctr.$defs.LinuxContainerResources.properties.memory_limit_in_bytes.description ?? '', /bytes/);
  const pod = jsonSchemaFor('runtime.v1.PodSandboxConfig', 'p') as Root;
  assert.match(pod.$defs.PodSandboxMetadata.properties.name.description ?? '', /Pod name/);
  // Every property name is one the loader accepts (CDI_devices, not _c_d_i_devices).
  assert.ok('CDI_devices' in ctr.properties);
  const dir = tempDir('jsonschema-');
  const path = join(dir, 'c.yaml');
  for (const name of Object.keys(ctr.properties).filter((n) => n !== 'metadata' && n !== 'image')) {
    writeFileSync(path, `metadata: {name: x}\nimage: {image: x}\n${name}: null\n`);
    await loadContainerConfig(path);
  }
});
