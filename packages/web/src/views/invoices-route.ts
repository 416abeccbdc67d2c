/// <reference lib="dom" />
/** Which invoices a reader sees: their sponsor's, their village's, or (BPJS billing) the sponsor they name. */
import { useState } from 'preact/hooks';
import { isOperator, useApp } from '../context.js';
import { t } from '../i18n.js';
import { InvoicesPage } from './invoices.js';
import { useCoverage } from './overview.js';
import { html } from './shared.js';

/** The invoices of the caller's sponsor (or village); an auditor's of the first sponsor with a commitment. */
export const InvoicesRoute = () => {
  const { lang, session } = useApp();
  const operator = isOperator(session);
  const own = session.claims.sponsorId;
  const top = useCoverage(!own && !operator ? {} : undefined);
  const [typed, setTyped] = useState('');
  const sponsorId = own ?? top.data?.commitments[0]?.sponsorId ?? (typed || undefined);
  if (operator) return html`<${InvoicesPage} villageCode=${session.claims.villageCodes[0]} />`;
  if (sponsorId) return html`<${InvoicesPage} key=${sponsorId} sponsorId=${sponsorId} />`;
  // A reader without a sponsor in scope nor the reports (BPJS billing) names the sponsor.
  return html`<h1>${t(lang, 'invoices')}</h1>
    <form class="card form" onSubmit=${(e: Event) => {
      e.preventDefault();
      setTyped(
        ((e.target as HTMLFormElement).elements.namedItem('sponsor') as HTMLInputElement).value.trim(),
      );
    }}><label for="sponsor">Sponsor</label><input id="sponsor" name="sponsor" />
    <button class="button primary" type="submit">${t(lang, 'search')}</button></form>`;
};
