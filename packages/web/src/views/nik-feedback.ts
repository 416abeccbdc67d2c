/** Immediate feedback on a NIK as it is typed: its shape, and the sex and age it encodes at the start month. */
import { ageAt, ELIGIBLE_AGE, parseNik } from '../../../core/src/nik.js';
import { parsePeriod } from '../../../core/src/period.js';
import type { Lang } from '../format.js';
import { t } from '../i18n.js';

export interface NikFeedback {
  readonly ok: boolean;
  readonly text: string;
}

/** What to say about `text` as a NIK for coverage starting in `startPeriod`; `undefined` while empty. */
export const nikFeedback = (lang: Lang, text: string, startPeriod: string): NikFeedback | undefined => {
  const nik = text.trim();
  if (nik === '') return undefined;
  if (!/^\d*$/.test(nik)) return { ok: false, text: t(lang, 'nikNotDigits') };
  if (nik.length !== 16) return { ok: false, text: t(lang, 'nikDigits', { n: nik.length }) };
  let info: ReturnType<typeof parseNik>;
  try {
    info = parseNik(nik);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    return { ok: false, text: t(lang, message.includes('region') ? 'nikRegion' : 'nikDate') };
  }
  const age = ageAt(info.birthDate, parsePeriod(startPeriod));
  if (age < ELIGIBLE_AGE.min) return { ok: false, text: t(lang, 'nikTooYoung', { age }) };
  if (age > ELIGIBLE_AGE.max) return { ok: false, text: t(lang, 'nikTooOld', { age }) };
  const [y, m, d] = info.birthDate.split('-');
  return {
    ok: true,
    text: t(lang, 'nikOk', {
      sex: t(lang, info.sex === 'F' ? 'female' : 'male'),
      date: `${d}-${m}-${y}`,
      age,
      start: startPeriod,
    }),
  };
};
