/**
 * SemVer 2.0.0 precedence (semver.org §11) over every version MODEL_VERSION_PATTERN accepts: MAJOR.MINOR.PATCH
 * numerically; a pre-release sorts before its release; pre-release identifiers compared one by one, numeric ones
 * numerically, a numeric one below an alphanumeric one, alphanumeric ones in ASCII order, and a shorter list
 * below a longer one it starts; build metadata ignored. Hand-written rather than the `semver` package: that
 * one throws on versions the manifest pattern accepts (leading zeros such as "1.0.0-rc.01" unless loose, a
 * number past 2^53 even when loose), and a comparator that throws would break the installed-versions list.
 * Numbers are compared exactly (BigInt), however long; a leading zero does not change a number's value.
 * Both arguments must pass isModelVersion (src/models/manifest.ts), as every caller's do.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = parse(a);
  const [coreB, preB] = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = compareNumbers(coreA[i] ?? '0', coreB[i] ?? '0');
    if (d !== 0) return d;
  }
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  for (let i = 0; i < Math.min(preA.length, preB.length); i++) {
    const d = compareIdentifiers(preA[i]!, preB[i]!);
    if (d !== 0) return d;
  }
  return Math.sign(preA.length - preB.length);
}

/** The core's three fields and the pre-release identifiers (undefined: a release). */
function parse(v: string): [string[], string[] | undefined] {
  const withoutBuild = v.split('+', 1)[0]!;
  const dash = withoutBuild.indexOf('-');
  if (dash < 0) return [withoutBuild.split('.'), undefined];
  return [withoutBuild.slice(0, dash).split('.'), withoutBuild.slice(dash + 1).split('.')];
}

const NUMERIC = /^\d+$/;

function compareIdentifiers(x: string, y: string): number {
  const xn = NUMERIC.test(x);
  const yn = NUMERIC.test(y);
  if (xn && yn) return compareNumbers(x, y);
  if (xn !== yn) return xn ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1; // ASCII order: identifiers are [0-9A-Za-z-] only
}

function compareNumbers(x: string, y: string): number {
  const d = BigInt(x) - BigInt(y);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}
