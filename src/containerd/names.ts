// Image names as containerd stores them: fully qualified (docker.io/library/busybox:latest),
// the way the CRI plugin and docker normalise what a user typed.
import { UsageError } from '../errors.js';
import { normalizeRepo } from '../cli/images.js';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`,
);

/** Whether `ref` is a valid image reference (name[:tag][@digest]). */
export function isReference(ref: string): boolean {
  if (ref.length > 255 || !REFERENCE.test(ref)) return false;
  // A first part without '.', ':' or "localhost" is a path component, not a registry: lower case.
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  return !first || /[.:]/.test(first) || first === 'localhost' || new RegExp(`^${COMPONENT}$`).test(first);
}

/** busybox → docker.io/library/busybox:latest; keeps a given tag or digest. */
export function fullName(ref: string): string {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repo = normalizeRepo(hasTag ? name.slice(0, colon) : name);
  if (at >= 0) return `${repo}${hasTag ? name.slice(colon) : ''}${ref.slice(at)}`;
  return `${repo}${hasTag ? name.slice(colon) : ':latest'}`;
}

/** A name the user gave (--name, tag TARGET): checked, then fully qualified. */
export function userName(ref: string, what: string): string {
  if (!isReference(ref))
    throw new UsageError(
      `${what} "${ref}": not a valid image reference (expected [REGISTRY/]REPOSITORY[:TAG], lower case)`,
    );
  return fullName(ref);
}
