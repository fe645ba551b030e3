/**
 * How long each simulated operator talks, call after call: uniform within `spread` (a share of
 * the mean) either side of `meanMs`, from a sequence seeded by the operator's name, so the hotline
 * and the baseline get the same talks. With one talk time for everybody (`spread` 0), operators
 * who answer together hang up together for the whole run, in bursts that a real shift, with calls
 * of every length, does not have.
 */
export function talkTimes(name: string, meanMs: number, spread: number): () => number {
  let seed = 0;
  for (const c of name) seed = (Math.imul(seed, 31) + c.charCodeAt(0)) >>> 0;
  // mulberry32: small, fast, and the same sequence on every run.
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return Math.round(meanMs * (1 + spread * (2 * unit - 1)));
  };
}
