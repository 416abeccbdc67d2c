/** The budget report's forecast in words: never past December of the commitment's fiscal year (issue 19). */
import type { Schemas } from './api.js';
import { type Lang, periodLabel, rupiah } from './format.js';
import { t } from './i18n.js';

/** What the sentence reads of the forecast (its basis periods are shown by the chart). */
export type Forecast = Omit<Schemas['BudgetReport']['forecast'], 'basis'>;

/**
 * "Enough until <month>, short by Rp X to reach December", or "enough to the end of the fiscal year, Rp X left",
 * then what next year's commitment needs at the current pace; nothing to forecast before any spending.
 */
export const forecastSentence = (lang: Lang, forecast: Forecast, fiscalYear: number): string => {
  if (forecast.lastsTheYear === null) return t(lang, 'forecastNone');
  const burn = rupiah(forecast.monthlyBurn);
  const yearEnd = periodLabel(forecast.yearEnd, lang);
  const thisYear = forecast.lastsTheYear
    ? t(lang, 'forecastYearEnd', { burn, yearEnd, surplus: rupiah(forecast.surplusAtYearEnd) })
    : t(lang, 'forecastText', {
        burn,
        months: forecast.monthsOfCoverageLeft ?? 0,
        through: periodLabel(forecast.fundedThrough ?? '', lang),
        shortfall: rupiah(forecast.shortfallToYearEnd),
        yearEnd,
      });
  const nextYear = t(lang, 'forecastNextYear', { year: fiscalYear + 1, need: rupiah(forecast.nextYearNeed) });
  return `${thisYear} ${nextYear}`;
};
