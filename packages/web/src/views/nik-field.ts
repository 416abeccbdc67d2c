/// <reference lib="dom" />
/** The NIK input of a phone form, with its feedback as it is typed (views/nik-feedback.ts) read out politely. */
import type { Lang } from '../format.js';
import { t } from '../i18n.js';
import type { NikFeedback } from './nik-feedback.js';
import { html } from './shared.js';

/** A labelled NIK input `id` (also its test id) and its feedback paragraph `${id}-feedback`. */
export const NikField = ({
  id,
  lang,
  value,
  feedback,
  onInput,
}: {
  id: string;
  lang: Lang;
  value: string;
  feedback: NikFeedback | undefined;
  onInput: (e: Event) => void;
}) => html`
  <label for=${id}>${t(lang, 'nik')}</label>
  <input id=${id} name="nik" inputmode="numeric" autocomplete="off" maxlength="16" required
    value=${value} onInput=${onInput} aria-describedby=${`${id}-feedback`}
    aria-invalid=${feedback ? String(!feedback.ok) : 'false'} data-testid=${id} />
  <p id=${`${id}-feedback`} class=${feedback ? (feedback.ok ? 'ok' : 'error') : 'muted'} aria-live="polite" data-testid=${`${id}-feedback`}>
    ${feedback?.text ?? t(lang, 'nikHelp')}
  </p>`;
