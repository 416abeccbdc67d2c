/// <reference lib="dom" />
/**
 * A sponsor's eligibility lists (issue 19): the finance officer uploads a file of NIKs (Kudus: the P3KE
 * extreme-poverty list) that a commitment's rules can name. The NIKs are read in the browser, sent in parts of
 * 1.000 with the progress shown, and kept by the API as keyed hashes only: the page can say how many workers a
 * list holds, never who.
 */
import { useRef, useState } from 'preact/hooks';
import { MAX_LIST_NIKS } from '../../../core/src/eligibility.js';
import { niksOfListText } from '../../../core/src/nik.js';
import { apiOf, send } from '../api.js';
import { useApp } from '../context.js';
import { count, type Lang } from '../format.js';
import { t } from '../i18n.js';
import { explain } from '../problems.js';
import { html } from './shared.js';

const parts = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

type Outcome = { ok: boolean; text: string };

export const ListsPanel = ({ lang }: { lang: Lang }) => {
  const { session } = useApp();
  const sponsorId = session.claims.sponsorId ?? '';
  const [name, setName] = useState('p3ke');
  const [read, setRead] = useState<{ niks: string[]; skipped: number }>();
  const [done, setDone] = useState(0);
  const [outcome, setOutcome] = useState<Outcome>();
  const busy = useRef(false);
  const path = { sponsorId, list: name.trim() };
  const choose = async (event: Event) => {
    setOutcome(undefined);
    setDone(0);
    const file = (event.target as HTMLInputElement).files?.[0];
    setRead(file ? niksOfListText(await file.text()) : undefined);
  };
  const upload = async (event: Event) => {
    event.preventDefault();
    if (busy.current || !read || read.niks.length === 0) return;
    busy.current = true;
    setOutcome(undefined);
    try {
      let members = 0;
      let sent = 0;
      for (const part of parts(read.niks, MAX_LIST_NIKS)) {
        const answer = await send(
          apiOf(session).POST('/v1/sponsors/{sponsorId}/lists/{list}/members', {
            params: { path },
            body: { niks: part },
          }),
        );
        sent += part.length;
        members = answer.members;
        setDone(sent);
      }
      setOutcome({ ok: true, text: t(lang, 'listSaved', { list: path.list, n: count(members, lang) }) });
    } catch (error) {
      setOutcome({ ok: false, text: explain(lang, error) });
    } finally {
      busy.current = false;
    }
  };
  const total = read?.niks.length ?? 0;
  return html`<section class="card" data-testid="lists-panel">
    <h2>${t(lang, 'listsTitle')}</h2>
    <p class="help">${t(lang, 'listsHelp')}</p>
    <form class="target-form" onSubmit=${upload}>
      <label>${t(lang, 'listName')}
        <input value=${name} pattern="[a-z0-9-]{1,40}" required data-testid="list-name"
          onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <label>${t(lang, 'listFile')}
        <input type="file" accept=".csv,.txt,text/csv,text/plain" data-testid="list-file" onChange=${choose} />
      </label>
      <button class="button primary" type="submit" disabled=${total === 0} data-testid="list-upload">${t(lang, 'listUpload')}</button>
    </form>
    ${
      read &&
      html`<p data-testid="list-read">${t(lang, 'listRead', { n: count(total, lang), skipped: count(read.skipped, lang) })}</p>`
    }
    ${
      done > 0 &&
      html`<progress max=${total} value=${done} data-testid="list-progress"></progress>
        <p aria-live="polite">${t(lang, 'listProgress', { done: count(done, lang), total: count(total, lang) })}</p>`
    }
    ${outcome && html`<p class=${outcome.ok ? 'ok' : 'error'} role=${outcome.ok ? 'status' : 'alert'} data-testid="list-outcome">${outcome.text}</p>`}
  </section>`;
};
