/** The sentence that says when a region reaches its coverage target (the coverage report's `outlook`). */
import type { Schemas } from './api.js';
import { type Lang, periodLabel } from './format.js';
import { t } from './i18n.js';

type Outlook = Schemas['TargetOutlook'];

/** Workers a month with one decimal and a sign: `+3,5` / `-5` in Indonesian. */
const rate = (value: number, lang: Lang) =>
  new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(value);

export const outlookSentence = (outlook: Outlook, lang: Lang): string => {
  switch (outlook.status) {
    case 'no-target':
      return t(lang, 'outlookNoTarget');
    case 'reached':
      return t(lang, 'outlookReached', { month: periodLabel(outlook.period, lang) });
    case 'projected':
      return t(lang, outlook.withinFiscalYear ? 'outlookProjected' : 'outlookAfterYear', {
        rate: rate(outlook.workersPerMonth, lang),
        month: periodLabel(outlook.period, lang),
      });
    case 'not-at-current-rate':
      return t(lang, 'outlookStalled', { rate: rate(outlook.workersPerMonth, lang) });
    case 'not-reached':
      return t(lang, 'outlookNotReached');
  }
};
