// Keys a stack sets in the project's namespace that are no setting of it. Pulumi hands the program every
// key of the stack file, declared or not, and a misspelt key (`workerMemoryMB`, `maxAtempts`) would
// otherwise run with the default and no warning: each is refused, naming the setting it most likely meant.
// Keys of other namespaces (aws:region, another provider's) are not ours and are never looked at here.

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
