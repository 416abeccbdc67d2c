/// <reference lib="dom" />
/**
 * The village operator's CSV upload: choose a file (the columns explained, an example to download), upload it
 * as an import job (202), follow the job's progress, then read every row's result with the refusals explained
 * in plain words, and download them. The job lives in the address (`#/import/{id}`) and the village's last
 * job in localStorage, so a reload or a dropped connection finds it again; a double click uploads once (one
 * `Idempotency-Key` per chosen file, and nothing is sent while a post runs).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, apiOf, idempotencyKey, keyed, send } from '../api.js';
import { useApp } from '../context.js';
import { count, type Lang, megabytes, percent, rupiah } from '../format.js';
import { t, type WordKey } from '../i18n.js';
import { explain } from '../problems.js';
import { useVillageYear } from './enroll.js';
import {
  checkImportText,
  exampleRows,
  type FileCheck,
  type FileRow,
  IMPORT_COLUMNS,
  isCsvFile,
  type RowResult,
  rowReason,
} from './import-file.js';
import { downloadCsv, html, Loading } from './shared.js';

/** Between two looks at a running job: a row takes a few milliseconds, a phone's connection more. */
const POLL_MS = 1_000;
/** Results read per request once the job is done (the API's largest page). */
const RESULTS_PAGE = 1_000;

/** The rows of the files uploaded from this page, by job: in memory only, a NIK is never stored. */
const uploadedRows = new Map<string, readonly FileRow[]>();

const lastJobKey = (code: string) => `lindung.import.${code}`;

/** Where a job is shown. */
const jobHash = (jobId: string) => `#/import/${encodeURIComponent(jobId)}`;

export const ImportPage = ({ code, jobId }: { code: string; jobId?: string | undefined }) => {
  const { lang } = useApp();
  const coverage = useVillageYear(code);
  const data = coverage.data;
  if (!data) return html`<${Loading} lang=${lang} error=${coverage.error} />`;
  return html`
    <h1 data-testid="import-title">${t(lang, 'importTitle')} <small>${data.region.name} · ${data.region.code}</small></h1>
    ${
      jobId
        ? html`<${JobView} key=${jobId} jobId=${jobId} />`
        : data.children.length === 0
          ? html`<p class="muted">${t(lang, 'noCommitment')}</p>`
          : html`<${UploadForm} code=${code} year=${data.fiscalYear} commitments=${data.children} />`
    }`;
};

/** The columns of an import file and an example to download. */
const ColumnHelp = ({ year }: { year: number }) => {
  const { lang } = useApp();
  return html`<section class="card" aria-labelledby="import-help-title" data-testid="import-help">
    <h2 id="import-help-title">${t(lang, 'importHelp')}</h2>
    <dl class="facts columns-help">
      ${IMPORT_COLUMNS.map(
        (column) =>
          html`<dt><code>${column}</code></dt><dd>${t(lang, `column.${column}` as WordKey, { example: `${year}-01` })}</dd>`,
      )}
    </dl>
    <p class="muted">${t(lang, 'importSeparator')}</p>
    <button class="button" type="button" data-testid="import-example"
      onClick=${() => downloadCsv('contoh-pekerja.csv', exampleRows(year))}>${t(lang, 'downloadExample')}</button>
  </section>`;
};

/** What the upload answered when it did not answer 202, in the operator's words. */
const uploadRefusal = (lang: Lang, error: unknown, bytes: number): string => {
  if (error instanceof ApiFailure) {
    const { code, errors = [] } = error.problem;
    if (code === 'payload-too-large')
      return t(lang, 'problem.payload-too-large', { size: megabytes(bytes, lang) });
    if (code === 'validation-failed' && errors.some((e) => e.path === 'header'))
      return t(lang, 'importHeaderBad');
  }
  return explain(lang, error);
};

interface Chosen {
  readonly name: string;
  readonly bytes: number;
  readonly text: string;
  readonly check: FileCheck;
}

const UploadForm = ({
  code,
  year,
  commitments,
}: {
  code: string;
  year: number;
  commitments: readonly { code: string; remaining: number }[];
}) => {
  const { lang, session } = useApp();
  const [commitmentId, setCommitmentId] = useState(commitments[0]?.code ?? '');
  const [chosen, setChosen] = useState<Chosen>();
  const [refusal, setRefusal] = useState<string>();
  const [busy, setBusy] = useState(false);
  // One key per chosen file and commitment: a double click or a retry of the same upload names the same job.
  const key = useRef(idempotencyKey());
  const inFlight = useRef(false);
  const last = localStorage.getItem(lastJobKey(code));
  const choose = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    key.current = idempotencyKey();
    setRefusal(undefined);
    setChosen(undefined);
    if (!file) return;
    if (!isCsvFile(file)) {
      setRefusal(t(lang, 'importNotCsv', { name: file.name }));
      return;
    }
    const text = await file.text();
    const check = checkImportText(lang, text);
    setChosen({ name: file.name, bytes: file.size, text, check });
    if (!check.ok) setRefusal(check.text);
  };
  const upload = async (e: Event) => {
    e.preventDefault();
    if (inFlight.current || !chosen?.check.ok) return;
    inFlight.current = true;
    setBusy(true);
    setRefusal(undefined);
    try {
      const job = await send(
        apiOf(session).POST('/v1/villages/{code}/enrollments/import', {
          params: { path: { code }, query: { commitmentId }, header: keyed(key.current) },
          body: chosen.text,
          bodySerializer: (body) => body,
          headers: { 'content-type': 'text/csv' },
        }),
      );
      uploadedRows.set(job.id, chosen.check.rows);
      localStorage.setItem(lastJobKey(code), job.id);
      location.hash = jobHash(job.id);
    } catch (error) {
      setRefusal(uploadRefusal(lang, error, chosen.bytes));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return html`
    ${last && html`<p><a href=${jobHash(last)} data-testid="last-import">${t(lang, 'lastImport')}</a></p>`}
    <form class="card form" onSubmit=${upload} data-testid="import-form" novalidate>
      ${
        commitments.length > 1 &&
        html`<label for="import-commitment">${t(lang, 'commitment')}</label>
        <select id="import-commitment" value=${commitmentId}
          onChange=${(e: Event) => {
            setCommitmentId((e.target as HTMLSelectElement).value);
            key.current = idempotencyKey();
          }}>
          ${commitments.map((c) => html`<option value=${c.code}>…${c.code.slice(-6)} · ${rupiah(c.remaining)}</option>`)}
        </select>`
      }
      <label for="import-file">${t(lang, 'importFile')}</label>
      <input id="import-file" type="file" accept=".csv,text/csv" onChange=${choose} data-testid="import-file"
        aria-describedby="import-file-check" aria-invalid=${refusal ? 'true' : 'false'} />
      <p id="import-file-check" class=${refusal ? 'error' : chosen ? 'ok' : 'muted'}
        role=${refusal ? 'alert' : 'status'} data-testid="import-file-check">${
          refusal ??
          (chosen?.check.ok
            ? t(lang, 'importReady', {
                n: count(chosen.check.rows.length, lang),
                size: megabytes(chosen.bytes, lang),
              })
            : '')
        }</p>
      <button class="button primary" type="submit" disabled=${busy || !chosen?.check.ok} data-testid="import-submit">
        ${busy ? t(lang, 'uploading') : t(lang, 'upload')}
      </button>
    </form>
    <${ColumnHelp} year=${year} />`;
};

type Job = Awaited<ReturnType<typeof readJob>>;

const readJob = (token: string, id: string, query: { limit: number; pageToken?: string }) =>
  send(apiOf(token).GET('/v1/imports/{id}', { params: { path: { id }, query } }));

/** Every row's result of a job that is done, a page at a time. */
const readResults = async (token: string, id: string): Promise<RowResult[]> => {
  const results: RowResult[] = [];
  let pageToken: string | undefined;
  do {
    const page = await readJob(token, id, { limit: RESULTS_PAGE, ...(pageToken && { pageToken }) });
    results.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return results;
};

/** A job's progress while it runs, then every row's result. */
const JobView = ({ jobId }: { jobId: string }) => {
  const { lang, session } = useApp();
  const [job, setJob] = useState<Job>();
  const [results, setResults] = useState<RowResult[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      try {
        const seen = await readJob(session.token, jobId, { limit: 1 });
        if (!live) return;
        setJob(seen);
        if (seen.state !== 'done') {
          timer = setTimeout(look, POLL_MS);
          return;
        }
        const all = await readResults(session.token, jobId);
        if (live) setResults(all);
      } catch (e) {
        if (live) setError(explain(lang, e));
      }
    };
    look();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [jobId, session, lang]);
  if (!job) return html`<${Loading} lang=${lang} error=${error} />`;
  const { total, done, enrolled, refused } = job.rows;
  const share = total > 0 ? (100 * done) / total : 0;
  return html`<section class="card" aria-labelledby="import-state" data-testid="import-job" data-state=${job.state}>
      <h2 id="import-state">${t(lang, `import.${job.state}` as WordKey)}</h2>
      <progress id="import-progress" max=${total} value=${done} aria-labelledby="import-progress-text"
        data-testid="import-progress"></progress>
      <p id="import-progress-text" aria-live="polite" data-testid="import-progress-text">${t(
        lang,
        'importProgress',
        {
          done: count(done, lang),
          total: count(total, lang),
          percent: percent(share, lang),
        },
      )}</p>
      ${job.stalledSince && html`<p class="error" role="alert">${t(lang, 'importStalled', { since: new Date(job.stalledSince).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB') })}</p>`}
      ${
        job.state === 'done' &&
        html`<p class=${refused > 0 ? '' : 'ok'} role="status" data-testid="import-summary">${t(
          lang,
          'importDone',
          {
            enrolled: count(enrolled, lang),
            refused: count(refused, lang),
          },
        )}</p>`
      }
      ${error && html`<p class="error" role="alert">${t(lang, 'error')}: ${error}</p>`}
    </section>
    ${results && html`<${Results} jobId=${jobId} results=${results} />`}
    <p><a href="#/import" data-testid="new-import">${t(lang, 'newImport')}</a></p>`;
};

/** The refused rows with their reasons, the enrolled ones, and all of them as a CSV file. */
const Results = ({ jobId, results }: { jobId: string; results: readonly RowResult[] }) => {
  const { lang } = useApp();
  const rows = uploadedRows.get(jobId);
  const named = (r: RowResult) => rows?.[r.row - 1]?.name ?? '–';
  const refused = results.filter((r) => r.outcome === 'refused');
  const enrolled = results.filter((r) => r.outcome === 'enrolled');
  const reason = (r: RowResult) => rowReason(lang, r, rows?.[r.row - 1]);
  const download = () =>
    downloadCsv(`hasil-impor-${jobId}.csv`, [
      ['row', 'nik', 'name', 'outcome', 'code', 'reason'],
      ...results.map((r) => [
        r.row,
        r.nik,
        rows?.[r.row - 1]?.name ?? '',
        r.outcome,
        r.code ?? '',
        r.outcome === 'refused' ? reason(r) : '',
      ]),
    ]);
  // A table wider than a phone scrolls: its box takes the keyboard focus so that it can be scrolled without a mouse.
  const table = (items: readonly RowResult[], testId: string, label: string) =>
    html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}><table data-testid=${testId}>
      <thead><tr><th scope="col" class="num">${t(lang, 'row')}</th><th scope="col">${t(lang, 'nik')}</th>
        <th scope="col">${t(lang, 'name')}</th></tr></thead>
      <tbody>${items.map(
        (
          r,
        ) => html`<tr data-row=${r.row}><td class="num">${count(r.row, lang)}</td><td class="mono">${r.nik}</td>
          <td>${named(r)}</td></tr>`,
      )}</tbody></table></div>`;
  return html`
    ${
      refused.length > 0 &&
      html`<section class="card" aria-labelledby="refused-title">
        <h2 id="refused-title">${t(lang, 'refusedRows')} (${count(refused.length, lang)})</h2>
        <ol class="refusals" data-testid="refused-rows">${refused.map(
          (r) => html`<li data-row=${r.row}>
            <strong>${t(lang, 'row')} ${count(r.row, lang)}</strong> · <span class="mono">${r.nik}</span> · ${named(r)}
            <p class="error" data-testid="refusal-reason">${reason(r)}</p>
          </li>`,
        )}</ol>
        <p class="muted">${t(lang, 'rowHelp')}</p>
      </section>`
    }
    <section class="card">
      <details data-testid="enrolled-rows">
        <summary>${t(lang, 'enrolledRows', { n: count(enrolled.length, lang) })}</summary>
        ${table(enrolled, 'enrolled-table', t(lang, 'enrolledRows', { n: count(enrolled.length, lang) }))}
      </details>
      <button class="button" type="button" onClick=${download} data-testid="import-results-csv">${t(lang, 'downloadResults')}</button>
    </section>`;
};
