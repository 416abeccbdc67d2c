/// <reference lib="dom" />
/**
 * Which of the village's commitments can pay for the worker being typed, and why (issue 19): the village fund,
 * the regency and the province in their priority order, each with its verdict in plain words, and the one an
 * automatic enrollment would use. Asked with a POST, so the NIK never appears in a URL.
 */
import type { Schemas } from '../api.js';
import { useApp } from '../context.js';
import { type Lang, rupiah } from '../format.js';
import { t, type WordKey } from '../i18n.js';
import { html, useLoad } from './shared.js';

type FundingOptions = Schemas['FundingOptions'];
type FundingOption = FundingOptions['options'][number];
export type Segment = NonNullable<Schemas['Enrollment']['segment']>;

/** Every worker segment of the contract (the record makes the compiler check the list is complete). */
export const SEGMENTS = Object.keys({
  'village-official': 1,
  'rt-rw': 1,
  fisher: 1,
  farmer: 1,
  'market-trader': 1,
  'construction-labourer': 1,
  'transport-driver': 1,
  'domestic-worker': 1,
  'religious-worker': 1,
  'other-informal': 1,
} satisfies Record<Segment, 1>) as Segment[];

export const segmentName = (lang: Lang, segment: string) => t(lang, `segment.${segment}` as WordKey);

/** Why an option takes the worker or not, in the user's words. */
const verdictText = (lang: Lang, option: FundingOption): string => {
  const details = option.details ?? {};
  const money = { available: rupiah(option.available), cost: rupiah(option.cost) };
  if (option.verdict === 'not-eligible' && details.rule === 'age') {
    return t(lang, 'verdict.age', {
      age: Number(details.age),
      min: Number(details.minAge ?? 18),
      max: Number(details.maxAge ?? 65),
    });
  }
  if (option.verdict === 'not-eligible' && details.rule === 'list') {
    return t(lang, 'verdict.list', { list: String(details.list) });
  }
  if (option.verdict === 'not-eligible') {
    const segments = (details.segments as string[] | undefined) ?? [];
    return t(lang, 'verdict.segment', { segments: segments.map((s) => segmentName(lang, s)).join(', ') });
  }
  return t(lang, `verdict.${option.verdict}` as WordKey, money);
};

/** The village's commitments judged for the worker; nothing is asked until the NIK is valid (`worker` set). */
export const useFundingOptions = (
  code: string,
  start: string,
  worker: { nik: string; segment?: Segment } | undefined,
  /** Changes after an enrollment, so the quotas are read again. */
  generation: number,
) =>
  useLoad(worker && `funding/${code}/${start}/${worker.nik}/${worker.segment ?? ''}/${generation}`, (api) =>
    api.POST('/v1/villages/{code}/funding-options', {
      params: { path: { code } },
      body: { startPeriod: start, ...(worker && { worker }) },
    }),
  );

/** The options in priority order with their verdicts; `automatic` marks the one an enrollment would use. */
export const FundingPanel = ({
  data,
  automatic,
}: {
  data: FundingOptions | undefined;
  automatic: boolean;
}) => {
  const { lang } = useApp();
  if (!data) return null;
  return html`<section class="funding" aria-labelledby="funding-title" data-testid="funding-options">
    <h2 id="funding-title">${t(lang, 'fundingTitle')}</h2>
    <p class="muted">${t(lang, 'fundingHelp')}</p>
    <ol>
      ${data.options.map(
        (option) => html`<li data-testid="funding-option" data-verdict=${option.verdict}>
          <strong>${option.sponsor.name}</strong>
          ${` · ${t(lang, `kind.${option.sponsor.kind}` as WordKey)} · ${t(lang, 'fundingPriority', { priority: option.priority })}`}
          ${automatic && option.commitmentId === data.chosen && html` · <em data-testid="funding-chosen">${t(lang, 'fundingChosen')}</em>`}
          <br /><span class=${option.verdict === 'takes' ? 'ok' : 'error'}>${verdictText(lang, option)}</span>
        </li>`,
      )}
    </ol>
  </section>`;
};

/** The sponsor of a commitment among the options last shown, for the outcome of an enrollment. */
export const sponsorOf = (data: FundingOptions | undefined, commitmentId: string) =>
  data?.options.find((o) => o.commitmentId === commitmentId)?.sponsor.name;
