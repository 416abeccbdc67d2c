/**
 * `npm start -- --demo`: fills a running Lindung with a living Jambi sample, through the HTTP API as any client
 * would — a sponsor (Provinsi Jambi), a commitment over ten real villages of Kerinci drafted by a finance officer
 * and approved by another user, twenty workers enrolled by the village operators, and the month rolled until the
 * local BPJS billing simulator has paid its invoices; a market manager of Kerinci collects two traders' first
 * deposits. Then it names the demo users of every role.
 *
 * Running it again changes nothing: every POST carries a fixed `Idempotency-Key` (a replay answers the first
 * answer), and the ids are remembered in `stateFile` (when the stack has a data folder) so that a run after the
 * idempotency records have expired finds the sample instead of making a second one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { retrying, villagesOf } from '@lindung/core';

export interface DemoSeedOptions {
  /** Where the stack answers, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** The fiscal year and month of the sample (default: this month in Jakarta). */
  readonly year?: number;
  readonly month?: number;
  /** A JSON file that remembers the sample's ids across runs (e.g. `<data dir>/demo.json`). */
  readonly stateFile?: string;
  /** How long to wait for the commitment to activate and the invoices to be paid (default 120 s). */
  readonly timeoutMs?: number;
  readonly log?: (message: string) => void;
}

/** A demo user: what to ask `POST /local/tokens` for. */
export interface DemoUser {
  readonly label: string;
  readonly claims: {
    readonly roles: readonly string[];
    readonly sub: string;
    readonly sponsorId?: string;
    readonly villageCodes?: readonly string[];
    readonly partnerId?: string;
    readonly name?: string;
  };
}

export interface DemoSample {
  readonly sponsorId: string;
  readonly commitmentId: string;
  /** The collection partner (a market manager of Kerinci) whose collector is a demo user. */
  readonly partnerId: string;
  readonly period: string;
  readonly villageCodes: readonly string[];
  readonly enrolled: number;
  readonly paidInvoices: number;
  readonly users: readonly DemoUser[];
}

export const DEMO_SPONSOR_NAME = 'Provinsi Jambi';
export const DEMO_PARTNER_NAME = 'Pengelola Pasar Siulak';
/** Ten villages of Kabupaten Kerinci (15.01), from the region data: real codes, as the API demands. */
export const DEMO_VILLAGES = 10;
export const DEMO_WORKERS = 20;
const PER_VILLAGE = 10_000_000;

const FIRST_NAMES = [
  ['Siti Aminah', 'F'],
  ['Ahmad Fauzi', 'M'],
  ['Nurhayati', 'F'],
  ['Budi Santoso', 'M'],
  ['Dewi Lestari', 'F'],
  ['Rahmat Hidayat', 'M'],
  ['Sri Wahyuni', 'F'],
  ['Joko Susilo', 'M'],
  ['Yuliana', 'F'],
  ['Hendra Saputra', 'M'],
] as const;

/**
 * The `i`th worker: a NIK issued in the village's district (its first six digits), a birth date in 1982–1999
 * (women's day + 40, as the NIK encodes it) and a serial from 7001, so the demo's NIKs stand out.
 */
export const demoWorker = (villageCode: string, i: number) => {
  const [name, sex] = FIRST_NAMES[i % FIRST_NAMES.length] as (typeof FIRST_NAMES)[number];
  const district = villageCode.replaceAll('.', '').slice(0, 6);
  const day = 1 + (i % 28) + (sex === 'F' ? 40 : 0);
  const month = 1 + (i % 12);
  const yy = 82 + (i % 18);
  const nik = `${district}${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(yy % 100).padStart(2, '0')}${String(7001 + i)}`;
  return { nik, name };
};

class DemoSeedError extends Error {
  override readonly name = 'DemoSeedError';
}

/** The first request with the same idempotency key still runs. */
class StillRunningError extends Error {
  override readonly name = 'StillRunningError';
}

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
  readonly body: any;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const jakartaNow = () => {
  const [year, month] = new Date(Date.now() + 7 * 3_600_000).toISOString().split('-');
  return { year: Number(year), month: Number(month) };
};

/** Seeds the sample (or finds it) and answers what it holds. */
export const seedDemo = async (options: DemoSeedOptions): Promise<DemoSample> => {
  const base = options.baseUrl.replace(/\/+$/, '');
  const log = options.log ?? (() => undefined);
  const now = jakartaNow();
  const year = options.year ?? now.year;
  const period = `${year}-${String(options.month ?? now.month).padStart(2, '0')}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const villageCodes = villagesOf('15.01')
    .slice(0, DEMO_VILLAGES)
    .map((v) => v.code);

  const call = (token: string, method: string, path: string, body?: unknown, key?: string) =>
    retrying(
      async () => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...(key && { 'idempotency-key': key }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        const answer: Answer = { status: response.status, body: text ? JSON.parse(text) : undefined };
        // The first request with this key still runs (e.g. a seed interrupted a moment ago): ask again.
        if (answer.body?.code === 'idempotency-in-progress') throw new StillRunningError(`${method} ${path}`);
        return answer;
      },
      // As long as it runs: the first request ends, or its record expires with the function's timeout.
      {
        attempts: Number.POSITIVE_INFINITY,
        retryIf: (error) => error instanceof StillRunningError,
        minDelayMs: 500,
        maxDelayMs: 2_000,
      },
    );
  const expectOk = (answer: Answer, what: string) => {
    if (answer.status >= 300) {
      throw new DemoSeedError(
        `${what}: HTTP ${answer.status} ${answer.body?.code ?? ''} ${answer.body?.detail ?? answer.body?.title ?? ''}`.trim(),
      );
    }
    return answer.body;
  };
  const token = async (claims: DemoUser['claims']) => {
    const response = await fetch(`${base}/local/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(claims),
    });
    if (!response.ok) throw new DemoSeedError(`POST /local/tokens answered ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new DemoSeedError(`gave up waiting for ${what}`);
      await pause(250);
    }
  };

  const remembered = await readState(options.stateFile);
  const admin = await token({ roles: ['admin'], sub: 'demo-admin', name: 'Admin' });

  /** The id an earlier run of this year remembered, or what `POST path` creates once (its Idempotency-Key). */
  const createdOnce = async (
    known: string | undefined,
    path: string,
    body: Record<string, unknown>,
    key: string,
    what: string,
  ) => known ?? (expectOk(await call(admin, 'POST', path, body, key), what).id as string);
  const sameYear = remembered?.year === year ? remembered : undefined;

  // 1. The sponsor.
  const sponsorId = await createdOnce(
    sameYear?.sponsorId,
    '/v1/sponsors',
    { name: DEMO_SPONSOR_NAME, kind: 'province', regionCode: '15' },
    `demo-${year}-sponsor`,
    'creating the sponsor',
  );
  // The market manager, registered by the administrator (its collector records deposits below).
  const partnerId = await createdOnce(
    sameYear?.partnerId,
    '/v1/partners',
    { name: DEMO_PARTNER_NAME, kind: 'market-manager', areaCode: '15.01', feeRateBasisPoints: 750 },
    `demo-${year}-partner`,
    'registering the market manager',
  );
  const users = demoUsers(sponsorId, villageCodes, partnerId);
  const claimsOf = (role: string) => (users.find((u) => u.claims.roles[0] === role) as DemoUser).claims;
  const officer = await token(claimsOf('sponsor-officer'));
  const approver = await token(claimsOf('sponsor-approver'));

  // 2. The commitment: drafted by the officer, approved by the approver (never the same user).
  let commitmentId = sameYear?.commitmentId;
  if (!commitmentId) {
    const draft = expectOk(
      await call(
        officer,
        'POST',
        '/v1/commitments',
        {
          sponsorId,
          fiscalYear: year,
          budget: { kind: 'fixed', amount: PER_VILLAGE * villageCodes.length },
          benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
          allocation: { method: 'equal', villages: villageCodes },
        },
        `demo-${year}-commitment`,
      ),
      'drafting the commitment',
    );
    commitmentId = draft.id as string;
  }
  const status = async () =>
    expectOk(await call(officer, 'GET', `/v1/commitments/${commitmentId}`), 'reading the commitment')
      .status as string;
  if ((await status()) === 'draft') {
    expectOk(
      await call(approver, 'POST', `/v1/commitments/${commitmentId}/approve`, {}, `demo-${year}-approve`),
      'approving the commitment',
    );
  }
  await until('the commitment to become active', async () =>
    (await status()) === 'active' ? true : undefined,
  );
  await writeState(options.stateFile, { year, sponsorId, commitmentId, partnerId });
  log(`demo: sponsor ${sponsorId}, commitment ${commitmentId} over ${villageCodes.length} villages`);

  // 3. Twenty workers, two per village, each enrolled by the operator of the village.
  let enrolled = 0;
  for (const [v, villageCode] of villageCodes.entries()) {
    const operator = await token({
      roles: ['village-operator'],
      villageCodes: [villageCode],
      sub: `demo-operator-${villageCode}`,
    });
    for (let k = 0; k < DEMO_WORKERS / villageCodes.length; k++) {
      const worker = demoWorker(villageCode, v * 2 + k);
      const answer = await call(
        operator,
        'POST',
        `/v1/villages/${villageCode}/enrollments`,
        { commitmentId, worker, startPeriod: period },
        `demo-${year}-enroll-${worker.nik}`,
      );
      // Already covered this year: enrolled by an earlier run whose idempotency record has expired.
      if (answer.body?.code !== 'already-covered') expectOk(answer, `enrolling ${worker.name}`);
      enrolled++;
    }
  }

  // 4. The month rolled, then the invoices sent to and paid by the local BPJS billing simulator.
  expectOk(
    await call(admin, 'POST', `/v1/periods/${period}/roll`, {}, `demo-${period}-roll`),
    `rolling ${period}`,
  );
  const billing = await token(claimsOf('billing'));
  const paidInvoices = await until(`the invoices of ${period} to be paid`, async () => {
    const page = expectOk(
      await call(billing, 'GET', `/v1/invoices?sponsorId=${sponsorId}&period=${period}&limit=1000`),
      'listing the invoices',
    );
    const mine = (page.items as { commitmentId: string; status: string }[]).filter(
      (i) => i.commitmentId === commitmentId,
    );
    return mine.length === villageCodes.length && mine.every((i) => i.status === 'paid')
      ? mine.length
      : undefined;
  });
  log(`demo: ${enrolled} workers enrolled, ${period} rolled, ${paidInvoices} invoices paid`);

  // 5. Two traders' first deposits at the market, Rp 1.000 each: one receipt number each, so a rerun replays them.
  const collector = await token(claimsOf('collector'));
  expectOk(
    await call(collector, 'POST', `/v1/partners/${partnerId}/deposits`, {
      deposits: [0, 1].map((i) => ({
        receiptNumber: `DEMO-${year}-${String(i + 1).padStart(4, '0')}`,
        nik: demoWorker(villageCodes[0] as string, i).nik,
        amount: 1_000,
        depositedAt: `${period}-01`,
        villageCode: villageCodes[0],
      })),
    }),
    'recording the market deposits',
  );
  log(`demo: ${DEMO_PARTNER_NAME} (${partnerId}) recorded 2 deposits`);
  return { sponsorId, commitmentId, partnerId, period, villageCodes, enrolled, paidInvoices, users };
};

/** The demo users, with the same `sub`s as the dashboard's local sign-in gives them. */
export const demoUsers = (
  sponsorId: string,
  villageCodes: readonly string[],
  partnerId: string,
): DemoUser[] => [
  { label: 'Admin', claims: { roles: ['admin'], sub: 'demo-admin', name: 'Admin' } },
  {
    label: `Finance officer — ${DEMO_SPONSOR_NAME}`,
    claims: {
      roles: ['sponsor-officer'],
      sponsorId,
      sub: `demo-officer-${sponsorId}`,
      name: DEMO_SPONSOR_NAME,
    },
  },
  {
    label: `Approver — ${DEMO_SPONSOR_NAME}`,
    claims: {
      roles: ['sponsor-approver'],
      sponsorId,
      sub: `demo-approver-${sponsorId}`,
      name: DEMO_SPONSOR_NAME,
    },
  },
  ...villageCodes.slice(0, 1).map((code) => ({
    label: `Village operator — ${code}`,
    claims: { roles: ['village-operator'], villageCodes: [code], sub: `demo-operator-${code}` },
  })),
  {
    label: 'BPJS billing',
    claims: { roles: ['billing'], sponsorId, sub: 'demo-billing', name: 'BPJS' },
  },
  {
    label: `Collector — ${DEMO_PARTNER_NAME}`,
    claims: { roles: ['collector'], partnerId, sub: `demo-collector-${partnerId}`, name: DEMO_PARTNER_NAME },
  },
  { label: 'Auditor', claims: { roles: ['auditor'], sub: 'demo-auditor', name: 'Auditor' } },
];

/** What `npm start -- --demo` prints once the sample is there. */
export const demoBanner = (baseUrl: string, sample: DemoSample) => {
  const base = baseUrl.replace(/\/+$/, '');
  const users = sample.users.map((u) => `  ${u.label.padEnd(34)} ${JSON.stringify(u.claims)}`).join('\n');
  return `
Demo sample ready: ${DEMO_SPONSOR_NAME}, ${sample.villageCodes.length} villages of Kerinci, ${sample.enrolled} workers, ${sample.period} rolled, ${sample.paidInvoices} invoices paid.
  Dashboard   ${base}/   (sign in as one of the demo users listed there)
  Sponsor     ${sample.sponsorId}
  Commitment  ${sample.commitmentId}
  Partner     ${sample.partnerId} (${DEMO_PARTNER_NAME}; its collector's page is #/deposits)

Demo users (POST ${base}/local/tokens with one of these bodies gives a bearer token):
${users}
`;
};

interface DemoState {
  readonly year: number;
  readonly sponsorId: string;
  readonly commitmentId: string;
  readonly partnerId?: string;
}

const readState = async (file: string | undefined): Promise<DemoState | undefined> => {
  if (!file) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoState;
  } catch {
    return undefined;
  }
};

const writeState = async (file: string | undefined, state: DemoState) => {
  if (file) await writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
};
