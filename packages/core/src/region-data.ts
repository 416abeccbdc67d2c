/**
 * The regions of Indonesia from `idn-area-data` (Kepmendagri codes: 38 provinces, 514 regencies/cities,
 * 7,285 districts, 83,762 villages). Kept apart from `region.ts` because it reads files: the pure domain
 * does not, and Lambda handlers that only validate codes never pay for the 80,000-row parse. Each CSV is
 * read at most once per process and kept in memory.
 *
 * The files are machine-written RFC 4180 CSV (quoted fields with doubled quotes, e.g. `"Soka""an"`), read
 * here by a small parser rather than csv-parse: it is ~5× faster on villages.csv (≈90 ms against ≈470 ms,
 * measured on Node 20), which matters on a Lambda cold start, and @lindung/core does not depend on csv-parse.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

type CsvFile = 'provinces' | 'regencies' | 'districts' | 'villages';

const FILE_OF_LEVEL: Readonly<Record<RegionLevel, CsvFile>> = {
  province: 'provinces',
  regency: 'regencies',
  district: 'districts',
  village: 'villages',
};

// The column naming the parent in each file (provinces have none).
const PARENT_COLUMN: Readonly<Record<CsvFile, string | undefined>> = {
  provinces: undefined,
  regencies: 'province_code',
  districts: 'regency_code',
  villages: 'district_code',
};

const LEVEL_OF_FILE: Readonly<Record<CsvFile, RegionLevel>> = {
  provinces: 'province',
  regencies: 'regency',
  districts: 'district',
  villages: 'village',
};

const loaded = new Map<CsvFile, readonly Region[]>();
const villagesByPrefix = new Map<string, readonly Region[]>();
let allRegions: RegionData | undefined;

function dataDirectory(): string {
  // Resolve through package.json: the package's `exports` do not expose data/, and this works when hoisted.
  return join(dirname(createRequire(import.meta.url).resolve('idn-area-data/package.json')), 'data');
}

// One pattern per level, so each row is checked against the level its file claims.
const CODE_PATTERN: Readonly<Record<CsvFile, RegExp>> = {
  provinces: /^\d{2}$/,
  regencies: /^\d{2}\.\d{2}$/,
  districts: /^\d{2}\.\d{2}\.\d{2}$/,
  villages: /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/,
};

function byCode(a: Region, b: Region): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function readLevel(file: CsvFile): readonly Region[] {
  const cached = loaded.get(file);
  if (cached) return cached;
  const text = readFileSync(join(dataDirectory(), `${file}.csv`), 'utf8');
  const [header = [], ...rows] = parseCsv(text);
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`idn-area-data ${file}.csv has no column ${name}`);
    return index;
  };
  const codeColumn = column('code');
  const nameColumn = column('name');
  const parentName = PARENT_COLUMN[file];
  const parentColumn = parentName === undefined ? undefined : column(parentName);
  const level = LEVEL_OF_FILE[file];
  const pattern = CODE_PATTERN[file];
  const list = rows.map((row): Region => {
    const code = row[codeColumn] ?? '';
    // A new data release with another code format must fail loudly, not mis-assign villages.
    if (!pattern.test(code)) {
      throw new Error(`idn-area-data ${file}.csv has an invalid code ${JSON.stringify(code)}`);
    }
    const name = (row[nameColumn] ?? '').trim();
    const parent = parentColumn === undefined ? undefined : row[parentColumn];
    return parent
      ? { code: code as RegionCode, name, level, parentCode: parent as RegionCode }
      : { code: code as RegionCode, name, level };
  });
  // Lookups binary-search, and children of a region must be contiguous: keep the list sorted by code.
  if (!list.every((region, i) => i === 0 || byCode(list[i - 1] as Region, region) < 0)) list.sort(byCode);
  loaded.set(file, list);
  return list;
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
    provinces: readLevel('provinces'),
    regencies: readLevel('regencies'),
    districts: readLevel('districts'),
    villages: readLevel('villages'),
  };
  return allRegions;
}

/** The regions of one level (reads only that level's file). */
export function regionsOfLevel(level: RegionLevel): readonly Region[] {
  return readLevel(FILE_OF_LEVEL[level]);
}

/** A region by its code, or `undefined` if `idn-area-data` does not know it (a malformed code throws). */
export function findRegion(code: string): Region | undefined {
  const parsed = parseRegionCode(code);
  const list = readLevel(FILE_OF_LEVEL[parsed.level]);
  const found = list[lowerBound(list, parsed.code)];
  return found?.code === parsed.code ? found : undefined;
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
  const villages = readLevel('villages');
  // Sorted codes put a region's villages in one run starting at the region's own code.
  let end = lowerBound(villages, ancestor);
  const start = end;
  while (end < villages.length && isWithinRegion((villages[end] as Region).code, ancestor)) end += 1;
  const result = villages.slice(start, end);
  villagesByPrefix.set(ancestor, result);
  return result;
}

const CHILD_LEVEL: Readonly<Record<RegionLevel, CsvFile | undefined>> = {
  province: 'regencies',
  regency: 'districts',
  district: 'villages',
  village: undefined,
};

/**
 * The regions one level below a region, sorted by code (the provinces when `code` is absent); a village has
 * none. Throws `NotFoundError` for a code `idn-area-data` does not know.
 */
export function childrenOf(code?: string): readonly Region[] {
  if (code === undefined) return readLevel('provinces');
  const parent = getRegion(code);
  const file = CHILD_LEVEL[parent.level];
  if (!file) return [];
  const list = readLevel(file);
  let end = lowerBound(list, parent.code);
  const start = end;
  while (end < list.length && (list[end] as Region).parentCode === parent.code) end += 1;
  return list.slice(start, end);
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** RFC 4180 CSV → rows of fields; quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.length;
  while (i < end) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE && field === '') {
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error('Unterminated quoted field in idn-area-data CSV');
        field += text.slice(i, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          field += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
    } else if (ch === COMMA) {
      row.push(field);
      field = '';
      i += 1;
    } else if (ch === LF || ch === CR) {
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
      i += ch === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    } else {
      // Copy a run of plain characters at once: far faster than one character at a time.
      let stop = i;
      while (stop < end) {
        const c = text.charCodeAt(stop);
        if (c === COMMA || c === LF || c === CR) break;
        stop += 1;
      }
      field += text.slice(i, stop);
      i = stop;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
