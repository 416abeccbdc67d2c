/**
 * `npm run generate:regions`: writes packages/core/src/generated/regions.dat, the regions of `idn-area-data`
 * in the compact form `packages/core/src/region-data.ts` reads. The file is committed and ships beside each
 * bundle that needs it (esbuild's file loader), so no function reaches into `node_modules` at run time; a unit
 * test holds it equal to what this generator makes of the installed `idn-area-data`.
 *
 * Format (UTF-8, one region above village level a line, sorted by code, so the output is deterministic):
 *
 *   # idn-area-data 4.0.1 …                          a comment naming the source
 *   15<TAB>Jambi                                       province
 *   15.01<TAB>Kab. Kerinci                             regency/city: its parent is its code's prefix
 *   15.01.01<TAB>Gunung Raya<TAB>2001=Lempur Tengah|Lempur Hilir|…|2101=…
 *                                                      district and its villages: a village's code is the
 *                                                      previous one plus 1 unless it is written `NNNN=`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getDistricts, getProvinces, getRegencies, getVillages } from 'idn-area-data';

/** Where the generated file lives, relative to the repository root. */
export const REGION_DATA_FILE = 'packages/core/src/generated/regions.dat';

const FIELD = '\t';
const VILLAGE = '|';
const CODE = '=';

interface Row {
  readonly code: string;
  readonly name: string;
  readonly parent?: string;
}

const byCode = (a: Row, b: Row) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

// Names become fields of the compact form: one holding a separator or a line break would corrupt it.
const checkedName = (row: Row): string => {
  const name = row.name.trim();
  if (name === '' || /[\t\n\r|=]/.test(name)) {
    throw new Error(`idn-area-data: region ${row.code} has a name the compact form cannot hold: ${name}`);
  }
  return name;
};

// The run-time reader derives a region's parent from its code: a row whose parent column says otherwise
// must fail the build, not mis-assign villages.
const checkedRows = (rows: readonly Row[], pattern: RegExp, what: string): Row[] => {
  for (const row of rows) {
    if (!pattern.test(row.code)) throw new Error(`idn-area-data ${what}: invalid code ${row.code}`);
    if (row.parent !== undefined && row.code.slice(0, row.code.lastIndexOf('.')) !== row.parent) {
      throw new Error(`idn-area-data ${what}: ${row.code} names ${row.parent} as its parent`);
    }
  }
  const sorted = [...rows].sort(byCode);
  sorted.forEach((row, i) => {
    if (i > 0 && sorted[i - 1]?.code === row.code)
      throw new Error(`idn-area-data ${what}: ${row.code} twice`);
  });
  return sorted;
};

const idnAreaDataVersion = (): string => {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(readFileSync(require.resolve('idn-area-data/package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
};

/** The compact form of the installed `idn-area-data`, as written to {@link REGION_DATA_FILE}. */
export const generateRegionData = async (): Promise<string> => {
  const [provinces, regencies, districts, villages] = await Promise.all([
    getProvinces(),
    getRegencies(),
    getDistricts(),
    getVillages(),
  ]);
  const villagesOfDistrict = new Map<string, Row[]>();
  for (const village of checkedRows(
    villages.map((v) => ({ code: v.code, name: v.name, parent: v.district_code })),
    /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/,
    'villages',
  )) {
    const list = villagesOfDistrict.get(village.parent ?? '') ?? [];
    list.push(village);
    villagesOfDistrict.set(village.parent ?? '', list);
  }
  const districtRows = checkedRows(
    districts.map((d) => ({ code: d.code, name: d.name, parent: d.regency_code })),
    /^\d{2}\.\d{2}\.\d{2}$/,
    'districts',
  );
  const districtCodes = new Set(districtRows.map((d) => d.code));
  for (const code of villagesOfDistrict.keys()) {
    if (!districtCodes.has(code)) throw new Error(`idn-area-data villages: unknown district ${code}`);
  }
  const lines = [
    ...checkedRows(
      provinces.map((p) => ({ code: p.code, name: p.name })),
      /^\d{2}$/,
      'provinces',
    ).map((p) => `${p.code}${FIELD}${checkedName(p)}`),
    ...checkedRows(
      regencies.map((r) => ({ code: r.code, name: r.name, parent: r.province_code })),
      /^\d{2}\.\d{2}$/,
      'regencies',
    ).map((r) => `${r.code}${FIELD}${checkedName(r)}`),
    ...districtRows.map((district) => {
      let previous = -2;
      const entries = (villagesOfDistrict.get(district.code) ?? []).map((village) => {
        const number = Number(village.code.slice(-4));
        const entry =
          number === previous + 1
            ? checkedName(village)
            : `${village.code.slice(-4)}${CODE}${checkedName(village)}`;
        previous = number;
        return entry;
      });
      return `${district.code}${FIELD}${checkedName(district)}${FIELD}${entries.join(VILLAGE)}`;
    }),
  ].sort();
  return `# idn-area-data ${idnAreaDataVersion()}: generated by scripts/region-data.ts (npm run generate:regions); do not edit\n${lines.join('\n')}\n`;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = fileURLToPath(new URL(`../${REGION_DATA_FILE}`, import.meta.url));
  const text = await generateRegionData();
  writeFileSync(file, text);
  console.log(`${REGION_DATA_FILE}: ${Buffer.byteLength(text).toLocaleString('en-US')} bytes`);
}
