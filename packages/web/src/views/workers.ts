/// <reference lib="dom" />
/** A village's workers of one commitment; a village operator may end a coverage and sees what it frees. */
import { useRef, useState } from 'preact/hooks';
import { apiOf, idempotencyKey, keyed, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { periodLabel, rupiah } from '../format.js';
import { t } from '../i18n.js';
import { explain } from '../problems.js';
import { html, Loading, monthsOf, StateBadge, useLoad } from './shared.js';

type Worker = Schemas['Enrollment'];

const Terminate = ({ worker, onDone }: { worker: Worker; onDone: (text: string) => void }) => {
  const { lang, session } = useApp();
  const [open, setOpen] = useState(false);
  const months = monthsOf(Number(worker.startPeriod.slice(0, 4))).filter((p) => p > worker.startPeriod);
  const [from, setFrom] = useState(months[0] ?? worker.startPeriod);
  const [error, setError] = useState<string>();
  const key = useRef(idempotencyKey());
  const busy = useRef(false);
  if (!open) {
    return html`<button class="button small" type="button" data-testid="terminate"
      onClick=${() => setOpen(true)}>${t(lang, 'terminate')}</button>`;
  }
  const confirm = async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      const ended = await send(
        apiOf(session).POST('/v1/enrollments/{id}/terminate', {
          params: { path: { id: worker.id }, header: keyed(key.current) },
          body: { fromPeriod: from },
        }),
      );
      onDone(t(lang, 'terminated', { amount: rupiah(ended.returned) }));
    } catch (e) {
      setError(explain(lang, e));
    } finally {
      busy.current = false;
    }
  };
  return html`<span class="inline-form">
    <label>${t(lang, 'terminateFrom')}
      <select value=${from} onChange=${(e: Event) => {
        setFrom((e.target as HTMLSelectElement).value);
        key.current = idempotencyKey();
      }} data-testid="terminate-from">
        ${months.map((p) => html`<option value=${p}>${periodLabel(p, lang)}</option>`)}
      </select></label>
    <button class="button small primary" type="button" onClick=${confirm} data-testid="terminate-confirm">${t(lang, 'confirm')}</button>
    <button class="button small" type="button" onClick=${() => setOpen(false)}>${t(lang, 'cancel')}</button>
    ${error && html`<span class="error" role="alert">${error}</span>`}
  </span>`;
};

export const Workers = ({
  commitmentId,
  code,
  canTerminate,
}: {
  commitmentId: string;
  code: string;
  canTerminate: boolean;
}) => {
  const { lang } = useApp();
  const workers = useLoad(`workers/${commitmentId}/${code}`, (api) =>
    api.GET('/v1/reports/workers', { params: { query: { commitmentId, villageCode: code } } }),
  );
  const [notice, setNotice] = useState<string>();
  if (!workers.data) return html`<${Loading} lang=${lang} error=${workers.error} />`;
  if (workers.data.items.length === 0) return html`<p class="muted">${t(lang, 'noWorkers')}</p>`;
  return html`${notice && html`<p class="ok" role="status" data-testid="terminate-outcome">${notice}</p>`}
    <div class="table-wrap"><table data-testid="worker-table">
    <thead><tr><th scope="col">${t(lang, 'nik')}</th><th scope="col">${t(lang, 'name')}</th><th scope="col">${t(lang, 'start')}</th>
      <th scope="col">${t(lang, 'end')}</th><th scope="col">${t(lang, 'status')}</th>${canTerminate && html`<th scope="col"><span class="sr-only">${t(lang, 'terminate')}</span></th>`}</tr></thead>
    <tbody>${workers.data.items.map(
      (w) => html`<tr data-worker=${w.id}>
        <td class="mono">${w.nikMasked}</td><td>${w.name ?? '–'}</td><td>${periodLabel(w.startPeriod, lang)}</td>
        <td>${w.endPeriod ? periodLabel(w.endPeriod, lang) : '–'}</td><td><${StateBadge} lang=${lang} state=${w.status} /></td>
        ${
          canTerminate &&
          html`<td>${
            w.status === 'active' && !w.endPeriod
              ? html`<${Terminate} worker=${w} onDone=${(text: string) => {
                  setNotice(text);
                  workers.reload();
                }} />`
              : null
          }</td>`
        }
      </tr>`,
    )}</tbody></table></div>`;
};
