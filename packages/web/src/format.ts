/** Formatting of the dashboard: rupiah as `Rp 10.000.000`, numbers and percents in the chosen language. */

export type Lang = 'id' | 'en';

const numberFormats: Record<Lang, Intl.NumberFormat> = {
  id: new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 }),
};

/** Integer rupiah the Indonesian way, whatever the language: `Rp 10.000.000` (money is never shown in floats). */
export const rupiah = (amount: number): string =>
  `${amount < 0 ? '-' : ''}Rp ${numberFormats.id.format(Math.abs(Math.trunc(amount)))}`;

/**
 * Whole rupiah as a collector types them: `1000`, `1.000` or `Rp 1.000` (dots group thousands, the Indonesian
 * way); `undefined` for what is not a whole positive amount (`1,5`, `1.00`, `0`), since there are no sen.
 */
export const parseRupiah = (text: string): number | undefined => {
  const plain = text.replace(/^\s*Rp\.?\s*/i, '').trim();
  if (!/^(\d+|\d{1,3}(\.\d{3})+)$/.test(plain)) return undefined;
  const amount = Number(plain.replace(/\./g, ''));
  return Number.isSafeInteger(amount) && amount > 0 ? amount : undefined;
};

/** A whole number in the language's grouping: `76.538` in Indonesian, `76,538` in English. */
export const count = (n: number, lang: Lang): string => numberFormats[lang].format(n);

/** A percent with one decimal (`37,5 %` / `37.5%`), or a dash when there is nothing to compare with. */
export const percent = (value: number | null | undefined, lang: Lang): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
  return lang === 'id' ? `${text} %` : `${text}%`;
};

/** The colour band of a coverage percent against the national 50 % goal. */
export const coverageBand = (value: number | null | undefined): 'none' | 'low' | 'mid' | 'high' => {
  if (value === null || value === undefined) return 'none';
  if (value >= 50) return 'high';
  if (value >= 25) return 'mid';
  return 'low';
};

const MONTHS: Record<Lang, readonly string[]> = {
  id: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

/** `2031-03` → `Mar 2031` (`Mei 2031` in Indonesian). */
export const periodLabel = (period: string, lang: Lang): string => {
  const [year, month] = period.split('-');
  return `${MONTHS[lang][Number(month) - 1] ?? month} ${year}`;
};

/** The short month name of a period, for chart axes. */
export const monthLabel = (period: string, lang: Lang): string =>
  MONTHS[lang][Number(period.split('-')[1]) - 1] ?? period;

/** A file size with one decimal in the language's notation: `5,8 MB` / `5.8 MB`, `0,7 KB` below a megabyte. */
export const megabytes = (bytes: number, lang: Lang): string => {
  const format = new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 1 });
  return bytes < 1_000_000 ? `${format.format(bytes / 1_000)} KB` : `${format.format(bytes / 1_000_000)} MB`;
};
