// critest names its specs "[k8s.io] <Describe> <Context> <It>"; checks give the full text.
export const critest = (...parts: string[]): string => `[k8s.io] ${parts.join(' ')}`;
