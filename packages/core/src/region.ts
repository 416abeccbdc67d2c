/**
 * Indonesian administrative region codes (Kemendagri), as shipped by `idn-area-data`: province `15`,
 * regency/city `15.01`, district `15.01.01`, village/kelurahan `15.01.01.2001`. Each code begins with the
 * code of its parent, so "is inside" is a prefix test. This module is pure; the data lives in `region-data`.
 */
import { ValidationError } from './errors.js';

/** The four levels of the administrative hierarchy, top first. */
export const REGION_LEVELS = ['province', 'regency', 'district', 'village'] as const;

/** Province, regency/city, district (kecamatan) or village (desa/kelurahan). */
export type RegionLevel = (typeof REGION_LEVELS)[number];

declare const regionCodeBrand: unique symbol;

/** A well-formed region code of any level, e.g. `15.01.01.2001`. */
export type RegionCode = string & { readonly [regionCodeBrand]: 'RegionCode' };

/** A region code split into its parts. */
export interface ParsedRegionCode {
  readonly code: RegionCode;
  readonly level: RegionLevel;
  readonly province: string;
  readonly regency?: string;
  readonly district?: string;
  readonly village?: string;
}

const REGION_CODE_PATTERN = /^(\d{2})(?:\.(\d{2})(?:\.(\d{2})(?:\.(\d{4}))?)?)?$/;

/** Whether a value is a well-formed region code of any level. */
export function isRegionCode(value: unknown): value is RegionCode {
  return typeof value === 'string' && REGION_CODE_PATTERN.test(value);
}

/** Splits and validates a region code; throws `ValidationError` if it is not one. */
export function parseRegionCode(text: string, field = 'regionCode'): ParsedRegionCode {
  const match = REGION_CODE_PATTERN.exec(text);
  if (!match) {
    throw ValidationError.forField(
      field,
      `must be a region code like 15, 15.01, 15.01.01 or 15.01.01.2001, got ${JSON.stringify(text)}`,
    );
  }
  const [, province = '', regency, district, village] = match;
  const code = text as RegionCode;
  if (village !== undefined) return { code, level: 'village', province, regency, district, village };
  if (district !== undefined) return { code, level: 'district', province, regency, district };
  if (regency !== undefined) return { code, level: 'regency', province, regency };
  return { code, level: 'province', province };
}

/** Validates a region code and returns it typed. */
export function regionCode(text: string, field = 'regionCode'): RegionCode {
  return parseRegionCode(text, field).code;
}

/** Validates a code of one expected level, e.g. a village code for an enrollment. */
export function regionCodeOfLevel(text: string, level: RegionLevel, field = 'regionCode'): RegionCode {
  const parsed = parseRegionCode(text, field);
  if (parsed.level !== level) {
    throw ValidationError.forField(field, `must be a ${level} code, got the ${parsed.level} code ${text}`);
  }
  return parsed.code;
}

/** Validates a village code `PP.RR.DD.VVVV`. */
export function villageCode(text: string, field = 'villageCode'): RegionCode {
  return regionCodeOfLevel(text, 'village', field);
}

/** The level of a region code. */
export function regionLevel(code: RegionCode): RegionLevel {
  return parseRegionCode(code).level;
}

/** The code of the enclosing region, or `undefined` for a province. */
export function parentRegion(code: RegionCode): RegionCode | undefined {
  const cut = code.lastIndexOf('.');
  return cut < 0 ? undefined : (code.slice(0, cut) as RegionCode);
}

/** The codes from the province down to `code` itself: `15.01.01` → `15`, `15.01`, `15.01.01`. */
export function regionAncestry(code: RegionCode): RegionCode[] {
  const parts = code.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.') as RegionCode);
}

/** Whether `code` is `ancestor` itself or lies inside it (`15.01.01.2001` is within `15.01`). */
export function isWithinRegion(code: RegionCode, ancestor: RegionCode): boolean {
  return code === ancestor || code.startsWith(`${ancestor}.`);
}

/**
 * The district code written in the first six digits of a NIK (`157102` → `15.71.02`). It is the region of
 * issue, which may be an old code that no longer exists, so it is not looked up.
 */
export function districtCodeFromDigits(sixDigits: string): RegionCode {
  if (!/^\d{6}$/.test(sixDigits)) {
    throw ValidationError.forField('regionCode', `must be six digits, got ${JSON.stringify(sixDigits)}`);
  }
  return `${sixDigits.slice(0, 2)}.${sixDigits.slice(2, 4)}.${sixDigits.slice(4, 6)}` as RegionCode;
}
