/// <reference lib="dom" />
/** Pieces every page uses: htm bound to preact, loading of an API path, a loading line, a state badge. */
import htm from 'htm';
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type ApiResult, apiOf, type LindungApi, send } from '../api.js';
import { useApp } from '../context.js';
import type { Lang } from '../format.js';
import { stateName, t } from '../i18n.js';
import { explain } from '../problems.js';

export const html = htm.bind(h);

/**
 * Makes `call` through the session's typed client whenever `key` (or `reload()`) changes, nothing while `key`
 * is undefined; `data` is absent while loading. `key` names what `call` reads (its path and query).
 */
export const useLoad = <T>(key: string | undefined, call: (api: LindungApi) => Promise<ApiResult<T>>) => {
  const { session, lang } = useApp();
  const [state, setState] = useState<{ path?: string; data?: T; error?: string }>({});
  const [generation, setGeneration] = useState(0);
  // The call of the latest render: it reads what `key` names, so a change of `key` alone reruns it.
  const latest = useRef(call);
  latest.current = call;
  useEffect(() => {
    const path = key;
    if (!path) return;
    let live = true;
    send(latest.current(apiOf(session)))
      .then((data) => live && setState({ path, data }))
      .catch((error: unknown) => live && setState({ path, error: explain(lang, error) }));
    return () => {
      live = false;
    };
  }, [session, key, generation, lang]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...(state.path === key ? state : {}), reload };
};

export const Loading = ({ lang, error }: { lang: Lang; error?: string | undefined }) =>
  error
    ? html`<p class="error" role="alert">${t(lang, 'error')}: ${error}</p>`
    : html`<p class="muted">${t(lang, 'loading')}</p>`;

export const StateBadge = ({ lang, state }: { lang: Lang; state: string }) =>
  html`<span class=${`badge state-${state}`}>${stateName(lang, state)}</span>`;

/** The months of a fiscal year, `YYYY-MM`. */
export const monthsOf = (year: number): string[] =>
  Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);

/** Offers `rows` as a CSV file named `name` (fields quoted where needed). */
export const downloadCsv = (name: string, rows: readonly (readonly (string | number)[])[]) => {
  const quote = (v: string | number) => {
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const blob = new Blob([`${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`], { type: 'text/csv' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
};
