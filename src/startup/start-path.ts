// Which start-up path this run took, for `--debug` (set by dist/crictl.cjs, src/startup/loader.ts).
let startPath: string | undefined;

export function setStartPath(description: string): void {
  startPath = description;
}

export function getStartPath(): string | undefined {
  return startPath;
}
