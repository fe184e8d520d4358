// The `yaml` package, loaded on demand. Bundled, its CommonJS build arrives as a default export.
type YamlModule = typeof import('yaml');

let cached: YamlModule | undefined;

export async function yamlLib(): Promise<YamlModule> {
  if (!cached) {
    const mod = (await import('yaml')) as YamlModule & { default?: YamlModule };
    cached = mod.default ?? mod;
  }
  return cached;
}
