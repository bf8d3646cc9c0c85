let prevRow = new Uint32Array(64);
let curRow = new Uint32Array(64);

/**
 * Levenshtein distance, for "did you mean". Returns `limit + 1` as soon as the
 * distance is sure to exceed `limit`, and reuses its rows: a file of thousands
 * of unknown keys must not take seconds.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (prevRow.length <= b.length) {
    prevRow = new Uint32Array(b.length + 1);
    curRow = new Uint32Array(b.length + 1);
  }
  let prev = prevRow;
  let cur = curRow;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

/** Normalised candidates (schema keys: a few hundred). */
const normalized = new Map<string, string>();
function norm(s: string): string {
  let n = normalized.get(s);
  if (n === undefined) {
    n = s.toLowerCase().replace(/-/g, '_');
    if (normalized.size < 10_000) normalized.set(s, n);
  }
  return n;
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo (or
 * differs only in `-`/`_` and case): at most `maxDistance` edits (default: 2,
 * or a quarter of the word's length when that is more).
 */
export function closest(word: string, candidates: readonly string[], maxDistance?: number): string | undefined {
  const limit = maxDistance ?? Math.max(2, Math.floor(word.length / 4));
  const normWord = word.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = norm(c) === normWord ? 0 : distance(word, c, Math.min(limit, bestD - 1));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}
