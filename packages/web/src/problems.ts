/** A refusal of the API explained in plain words, from its problem document's `code` and `details`. */
import { ApiFailure } from './api.js';
import { type Lang, rupiah } from './format.js';
import { hasWord, stateName, t } from './i18n.js';

/** What to tell the user about a failed call; the API's own `detail` when the code has no words here. */
export const explain = (lang: Lang, error: unknown): string => {
  if (!(error instanceof ApiFailure)) return error instanceof Error ? error.message : String(error);
  const { code, detail, details = {} } = error.problem;
  const key = `problem.${code}`;
  if (!hasWord(key)) return detail ?? error.problem.title ?? code;
  const money = (value: unknown) => (typeof value === 'number' ? rupiah(value) : '–');
  return t(lang, key, {
    available: money(details.available),
    required: money(details.required),
    detail: detail ?? '',
    state: stateName(lang, String(details.from ?? details.state ?? '')),
  });
};
