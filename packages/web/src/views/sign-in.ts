/// <reference lib="dom" />
/** Signing in: through the user pool's hosted UI on AWS, or as a demo user of any role on the local stack. */
import { useEffect, useState } from 'preact/hooks';
import { apiOf, send } from '../api.js';
import type { Lang } from '../format.js';
import { t } from '../i18n.js';
import { beginSignIn, type HostedUi, localToken, type Session, saveSession } from '../session.js';
import { html } from './shared.js';

interface DemoUser {
  label: string;
  claims: {
    roles: string[];
    sponsorId?: string;
    villageCodes?: string[];
    regionCodes?: string[];
    partnerId?: string;
    sub: string;
    name: string;
  };
}

/** Sign-in through the user pool's hosted UI (on AWS), or why it cannot happen. */
export const HostedSignIn = ({
  lang,
  hostedUi,
  pending,
  error,
}: {
  lang: Lang;
  hostedUi: HostedUi | undefined;
  pending: boolean;
  error: string | undefined;
}) => {
  const [leaving, setLeaving] = useState(false);
  const [failure, setFailure] = useState<string>();
  const problem = failure ?? error;
  const signIn = () => {
    if (!hostedUi) return;
    setLeaving(true);
    beginSignIn(hostedUi, { lang, route: location.hash })
      .then((url) => location.assign(url))
      .catch((e: Error) => {
        setLeaving(false);
        setFailure(e.message);
      });
  };
  return html`<section class="card signin"><h1>${t(lang, 'signIn')}</h1>
    ${problem && html`<p class="error" role="alert">${t(lang, 'signInFailed')}: ${problem}</p>`}
    ${
      pending
        ? html`<p class="muted">${t(lang, 'signingIn')}</p>`
        : hostedUi
          ? html`<button class="button" data-testid="sign-in-cognito" disabled=${leaving} onClick=${signIn}>${t(lang, 'signInCognito')}</button>`
          : html`<p class="muted">${t(lang, 'cognitoMissing')}</p>`
    }
  </section>`;
};

/** Local sign-in: demo users of every role, found through an auditor's view of the seeded data. */
export const SignIn = ({ lang, onSession }: { lang: Lang; onSession: (s: Session) => void }) => {
  const [users, setUsers] = useState<DemoUser[] | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    (async () => {
      const auditor = await localToken({ roles: ['auditor'], sub: 'demo-auditor' });
      const api = apiOf(auditor);
      const top = await send(api.GET('/v1/reports/coverage'));
      const found: DemoUser[] = [];
      const sponsors = new Map(top.commitments.map((c) => [c.sponsorId, c.sponsorName ?? c.sponsorId]));
      for (const [sponsorId, name] of sponsors) {
        found.push({
          label: `${t(lang, 'financeOfficer')} — ${name}`,
          claims: {
            roles: ['sponsor-officer'],
            sponsorId,
            sub: `demo-officer-${sponsorId}`,
            name: `${name}`,
          },
        });
      }
      for (const [sponsorId, name] of sponsors) {
        found.push({
          label: `${t(lang, 'approver')} — ${name}`,
          claims: { roles: ['sponsor-approver'], sponsorId, sub: `demo-approver-${sponsorId}`, name },
        });
      }
      const firstSponsor = [...sponsors.keys()][0];
      if (firstSponsor) {
        found.push({
          label: `${t(lang, 'billing')} — ${sponsors.get(firstSponsor)}`,
          claims: { roles: ['billing'], sponsorId: firstSponsor, sub: 'demo-billing', name: 'BPJS' },
        });
      }
      const province = top.children.find((c) => c.quotas > 0)?.code;
      if (province) {
        const provinceName = top.children.find((c) => c.code === province)?.name ?? province;
        found.push({
          label: `${t(lang, 'regionalOffice')} — ${provinceName}`,
          claims: {
            roles: ['regional-office'],
            regionCodes: [province],
            sub: `demo-regional-${province}`,
            name: `BPJS ${provinceName}`,
          },
        });
        const villages = await send(
          api.GET('/v1/reports/coverage', {
            params: { query: { region: province, children: 'villages', fiscalYear: top.fiscalYear } },
          }),
        );
        for (const v of villages.children.filter((x) => x.quotas > 0).slice(0, 3)) {
          found.push({
            label: `${t(lang, 'villageOperator')} — ${v.name} (${v.code})`,
            claims: {
              roles: ['village-operator'],
              villageCodes: [v.code],
              sub: `demo-operator-${v.code}`,
              name: v.name,
            },
          });
        }
      }
      // A collector of each of the first partners of the directory (the demo seed registers a market manager).
      const partners = await send(api.GET('/v1/partners', { params: { query: { limit: 3 } } }));
      for (const p of partners.items) {
        found.push({
          label: `${t(lang, 'collectorRole')} — ${p.name}`,
          claims: { roles: ['collector'], partnerId: p.id, sub: `demo-collector-${p.id}`, name: p.name },
        });
      }
      found.push({
        label: t(lang, 'auditor'),
        claims: { roles: ['auditor'], sub: 'demo-auditor', name: 'Auditor' },
      });
      setUsers(found);
    })().catch((e: Error) => setError(e.message));
  }, [lang]);
  return html`<section class="card signin">
    <h1>${t(lang, 'signInAs')}</h1>
    ${error && html`<p class="error">${error}</p>`}
    ${!users && !error && html`<p class="muted">${t(lang, 'loading')}</p>`}
    ${users && users.length === 1 && html`<p class="muted">${t(lang, 'noDemoData')}</p>`}
    <ul class="users">
      ${(users ?? []).map(
        (u) =>
          html`<li><button class="button" data-role=${u.claims.roles[0]} onClick=${async () => onSession(saveSession(await localToken(u.claims)))}>${u.label}</button></li>`,
      )}
    </ul>
  </section>`;
};
