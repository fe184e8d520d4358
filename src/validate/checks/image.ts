// Images: list and status by every reference, pull by tag and by digest, idempotent remove.
import type { Image } from '../../lib/index.js';
import { expect, expectEqual, SLOW } from '../helpers.js';
import type { Check, CheckContext } from '../types.js';
import { critest } from './critest.js';

const spec = (it: string) => critest('Image Manager', it);

async function status(t: CheckContext, image: string): Promise<Image | undefined> {
  const r = await t.cri.image.imageStatus({ image: { image } }, { signal: t.signal });
  return r.image ?? undefined;
}

async function pull(t: CheckContext, image: string): Promise<string> {
  const { auth } = t.probe.images;
  const r = await t.cri.image.pullImage({ image: { image }, auth }, { timeoutMs: 300_000, signal: t.signal });
  return r.imageRef;
}

async function removeAndCheck(t: CheckContext, image: string): Promise<void> {
  await t.cri.image.removeImage({ image: { image } }, SLOW);
  expectEqual(await status(t, image), undefined, `ImageStatus of ${image} after RemoveImage`);
}

/** The pull image must not be on the node before (it is removed after): refuse to touch one in use. */
async function pullImageOrSkip(t: CheckContext): Promise<string> {
  const image = t.probe.images.pull!;
  const present = await status(t, image);
  if (present) {
    const { containers } = await t.cri.runtime.listContainers({}, { signal: t.signal });
    if (containers.some((c) => c.imageRef === present.id || c.image?.image === present.id))
      t.skip(`the pull image ${image} is used by a container on the node`);
    if (present.repoTags.some((tag) => tag !== image))
      t.skip(
        `the pull image ${image} is also ${present.repoTags.filter((tag) => tag !== image).join(', ')}, which removing it would remove`,
      );
    await t.cri.image.removeImage({ image: { image } }, SLOW);
  }
  return image;
}

/**
 * Pulls the pull image. RemoveImage removes an image under all its names (containerd), so an
 * image that turns out to be one already on the node under another name is left as it is.
 */
async function pullNew(t: CheckContext, image: string): Promise<void> {
  const { images: before } = await t.cri.image.listImages({}, { signal: t.signal });
  const id = await pull(t, image);
  const same = before.find((i) => i.id === id || i.repoDigests.some((d) => id.endsWith(d.split('@')[1] ?? '-')));
  if (same) {
    t.log(`${image} stays on the node: it is ${same.repoTags.join(', ') || same.id}`);
    t.skip(
      `the pull image ${image} is the same image as ${same.repoTags.join(', ') || same.id} (on the node already): removing it would remove that; use an image of its own`,
    );
  }
}

export const imageChecks: Check[] = [
  {
    name: 'image/list',
    group: 'image',
    critest: null,
    needs: ['testImage'],
    async run(t) {
      const { images } = await t.cri.image.listImages({}, { signal: t.signal });
      const test = t.probe.images.test;
      const found = images.filter((i) => i.repoTags.includes(test));
      expectEqual(found.length, 1, `images listed with tag ${test}`);
      const s = await status(t, test);
      expectEqual(found[0].id, s?.id, `id of ${test} in ListImages and ImageStatus`);
    },
  },
  {
    name: 'image/status-references',
    group: 'image',
    critest: spec('image status should support all kinds of references [Conformance]'),
    needs: ['testImage'],
    async run(t) {
      const s = await status(t, t.probe.images.test);
      expect(s, `ImageStatus of ${t.probe.images.test} found nothing`);
      const same = JSON.stringify(s);
      for (const ref of [s.id, ...s.repoTags, ...s.repoDigests])
        expectEqual(JSON.stringify(await status(t, ref)), same, `ImageStatus by ${ref}`);
    },
  },
  {
    name: 'image/pull-tag',
    group: 'image',
    critest: spec('public image with tag should be pulled and removed [Conformance]'),
    needs: ['pullImage'],
    async run(t) {
      const image = await pullImageOrSkip(t);
      await pullNew(t, image);
      const s = await status(t, image);
      expect(s?.repoTags.includes(image), `repo tags after pulling ${image}: ${JSON.stringify(s?.repoTags)}`);
      await removeAndCheck(t, image);
    },
  },
  {
    name: 'image/pull-digest',
    group: 'image',
    critest: spec('public image with digest should be pulled and removed [Conformance]'),
    needs: ['pullImage'],
    async run(t) {
      const tagged = await pullImageOrSkip(t);
      await pullNew(t, tagged);
      const digest = (await status(t, tagged))?.repoDigests[0];
      expect(digest, `${tagged} has no repo digest after pulling it`);
      await removeAndCheck(t, tagged);
      await pull(t, digest);
      const s = await status(t, digest);
      expectEqual(s?.repoTags, [], `repo tags after pulling ${digest}`);
      expectEqual(s?.repoDigests, [digest], `repo digests after pulling ${digest}`);
      await removeAndCheck(t, digest);
    },
  },
  {
    name: 'image/remove-idempotent',
    group: 'image',
    critest: null,
    async run(t) {
      // Removing an image that is not there succeeds (the kubelet's garbage collector retries).
      await t.cri.image.removeImage({ image: { image: `validate.invalid/${t.name('absent')}:none` } }, SLOW);
    },
  },
];
