/**
 * The regions of Indonesia from `idn-area-data` (Kepmendagri codes: 38 provinces, 514 regencies/cities,
 * 7,285 districts, 83,762 villages). Kept apart from `region.ts` because it reads a file: the pure domain
 * does not, and Lambda handlers that only validate codes never pay for the 80,000-row parse.
 *
 * The data is `generated/regions.dat`, made at build time from `idn-area-data` by scripts/region-data.ts
 * (its format is described there) and read once per process. A function bundle carries it beside its
 * `index.mjs` (`#region-data-file` resolves to esbuild's file loader under the `lindung-bundle` condition),
 * so nothing is looked up in `node_modules` at run time, where Lambda has none.
 */
import { readFileSync } from 'node:fs';
import { regionDataFile } from '#region-data-file';
import { NotFoundError } from './errors.js';
import { isWithinRegion, parseRegionCode, type RegionCode, type RegionLevel } from './region.js';

/** A region of any level. */
export interface Region {
  readonly code: RegionCode;
  readonly name: string;
  readonly level: RegionLevel;
  /** The enclosing region; absent for a province. */
  readonly parentCode?: RegionCode;
}

/** Every region of Indonesia, per level and by code. */
export interface RegionData {
  readonly provinces: readonly Region[];
  readonly regencies: readonly Region[];
  readonly districts: readonly Region[];
  readonly villages: readonly Region[];
}

const FIELD = '\t';
const VILLAGE = '|';
const CODE = '=';

interface Parsed {
  readonly province: readonly Region[];
  readonly regency: readonly Region[];
  readonly district: readonly Region[];
  /** Each district's packed villages, expanded on first use (most callers never need them). */
  readonly packedVillages: readonly (readonly [district: Region, packed: string])[];
}

let parsed: Parsed | undefined;
let villageList: readonly Region[] | undefined;
const villagesByPrefix = new Map<string, readonly Region[]>();
let allRegions: RegionData | undefined;

const LEVEL_OF_LENGTH: Readonly<Record<number, 'province' | 'regency' | 'district'>> = {
  2: 'province',
  5: 'regency',
  8: 'district',
};

function parent(code: string): RegionCode | undefined {
  const cut = code.lastIndexOf('.');
  return cut < 0 ? undefined : (code.slice(0, cut) as RegionCode);
}

function region(code: string, name: string, level: RegionLevel): Region {
  const parentCode = parent(code);
  return parentCode
    ? { code: code as RegionCode, name, level, parentCode }
    : { code: code as RegionCode, name, level };
}

/** The levels above village (the file is sorted by code, so each list is too). */
function parse(): Parsed {
  if (parsed) return parsed;
  const text = readFileSync(regionDataFile, 'utf8');
  const levels = { province: [] as Region[], regency: [] as Region[], district: [] as Region[] };
  const packedVillages: [Region, string][] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [code = '', name = '', villages] = line.split(FIELD);
    const level = LEVEL_OF_LENGTH[code.length];
    if (!level) throw new Error(`${regionDataFile}: invalid line ${JSON.stringify(line.slice(0, 40))}`);
    const entry = region(code, name, level);
    levels[level].push(entry);
    if (villages) packedVillages.push([entry, villages]);
  }
  parsed = { ...levels, packedVillages };
  return parsed;
}

function expandVillages(): readonly Region[] {
  if (villageList) return villageList;
  const list: Region[] = [];
  for (const [district, packed] of parse().packedVillages) {
    let number = 0;
    for (const entry of packed.split(VILLAGE)) {
      const cut = entry.indexOf(CODE);
      number = cut < 0 ? number + 1 : Number(entry.slice(0, cut));
      const name = cut < 0 ? entry : entry.slice(cut + 1);
      list.push({
        code: `${district.code}.${String(number).padStart(4, '0')}` as RegionCode,
        name,
        level: 'village',
        parentCode: district.code,
      });
    }
  }
  villageList = list;
  return list;
}

function readLevel(level: RegionLevel): readonly Region[] {
  return level === 'village' ? expandVillages() : parse()[level];
}

/** The index of the first region whose code is not below `code` (binary search over a sorted list). */
function lowerBound(list: readonly Region[], code: string): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((list[mid] as Region).code < code) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Every region of every level, parsed once and cached. */
export function loadRegions(): RegionData {
  if (allRegions) return allRegions;
  allRegions = {
    provinces: readLevel('province'),
    regencies: readLevel('regency'),
    districts: readLevel('district'),
    villages: readLevel('village'),
  };
  return allRegions;
}

/** The regions of one level (villages are expanded on first use). */
export function regionsOfLevel(level: RegionLevel): readonly Region[] {
  return readLevel(level);
}

/** A region by its code, or `undefined` if `idn-area-data` does not know it (a malformed code throws). */
export function findRegion(code: string): Region | undefined {
  const { level, code: wanted } = parseRegionCode(code);
  const list = readLevel(level);
  const found = list[lowerBound(list, wanted)];
  return found?.code === wanted ? found : undefined;
}

/** A region by its code; throws `NotFoundError` if `idn-area-data` does not know it. */
export function getRegion(code: string): Region {
  const region = findRegion(code);
  if (!region) throw new NotFoundError(`No region with code ${code}`, { details: { code } });
  return region;
}

/** The villages/kelurahan inside a region (e.g. `15` → the 1,585 of Jambi), sorted by code. */
export function villagesOf(prefix: string): readonly Region[] {
  const ancestor = parseRegionCode(prefix, 'region').code;
  const cached = villagesByPrefix.get(ancestor);
  if (cached) return cached;
  const villages = readLevel('village');
  // Sorted codes put a region's villages in one run starting at the region's own code.
  let end = lowerBound(villages, ancestor);
  const start = end;
  while (end < villages.length && isWithinRegion((villages[end] as Region).code, ancestor)) end += 1;
  const result = villages.slice(start, end);
  villagesByPrefix.set(ancestor, result);
  return result;
}

const CHILD_LEVEL: Readonly<Record<RegionLevel, RegionLevel | undefined>> = {
  province: 'regency',
  regency: 'district',
  district: 'village',
  village: undefined,
};

/**
 * The regions one level below a region, sorted by code (the provinces when `code` is absent); a village has
 * none. Throws `NotFoundError` for a code `idn-area-data` does not know.
 */
export function childrenOf(code?: string): readonly Region[] {
  if (code === undefined) return readLevel('province');
  const parent = getRegion(code);
  const level = CHILD_LEVEL[parent.level];
  if (!level) return [];
  const list = readLevel(level);
  let end = lowerBound(list, parent.code);
  const start = end;
  while (end < list.length && (list[end] as Region).parentCode === parent.code) end += 1;
  return list.slice(start, end);
}
