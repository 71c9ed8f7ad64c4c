// Keys a stack sets in the project's namespace that are no setting of it. Pulumi hands the program every
// key of the stack file, declared or not, and a misspelt key (`workerMemoryMB`, `maxAtempts`) would
// otherwise run with the default and no warning: each is refused, naming the setting it most likely meant.
// Keys of other namespaces (aws:region, another provider's) are not ours, except a namespace that is a
// misspelling of the project's (`video-job:`, `videojobs:`): Pulumi hands such a key to no provider and the
// program reads only its own namespace, so the setting would keep its default in silence.

/** The known key a mistyped one most likely means: the same letters in another case, else the closest. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Why `key` is refused, completing "<project>:<key>: ...": it names the nearest setting. */
export function unknownKeyMessage(project: string, key: string, known: readonly string[]): string {
  const nearest = nearestKey(key, known);
  const hint = nearest === undefined ? "" : `; did you mean ${project}:${nearest}?`;
  return `is not a ${project} setting${hint} (every setting: docs/settings.md)`;
}

/** Namespaces this many edits (or fewer) from the project's are taken as misspellings of it. */
const NAMESPACE_EDITS = 2;

/**
 * The problems of keys of other namespaces (qualified, `ns:key`) whose namespace misspells the project's,
 * each naming the key it meant; every other namespace is left to its provider.
 */
export function misspeltNamespaceProblems(
  project: string,
  others: Readonly<Record<string, string>>,
  known: readonly string[],
): string[] {
  return Object.entries(others).flatMap(([qualified, value]) => {
    const colon = qualified.indexOf(":");
    if (colon === -1) return [];
    const namespace = qualified.slice(0, colon);
    const key = qualified.slice(colon + 1);
    if (namespace === project || editDistance(namespace.toLowerCase(), project) > NAMESPACE_EDITS) return [];
    const meant = nearestKey(key, known) ?? key;
    return [
      `${qualified}: the namespace "${namespace}" is not the project's; did you mean ${project}:${meant}? (read by no one, the setting keeps its default) (got ${JSON.stringify(value)})`,
    ];
  });
}

/** The keys of `raw` that are not in `known`, in the order they were given. */
export function unknownKeys(raw: object, known: readonly string[]): string[] {
  const knownSet = new Set(known);
  return Object.keys(raw).filter((key) => !knownSet.has(key));
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
