/**
 * Every key of the ledger table, in one place. See the access-pattern table in packages/store/README.md.
 * Keys never contain a NIK: a worker is keyed by a keyed hash of it (see nik-key.ts).
 */

export const sponsorKey = (sponsorId: string) => ({ pk: `SPONSOR#${sponsorId}`, sk: 'SPONSOR' });

export const commitmentKey = (commitmentId: string) => ({
  pk: `COMMITMENT#${commitmentId}`,
  sk: 'COMMITMENT',
});

/** Commitments of a sponsor, by fiscal year (gsi1). */
export const commitmentBySponsor = (sponsorId: string, fiscalYear: number, commitmentId: string) => ({
  gsi1pk: `SPONSOR#${sponsorId}#COMMITMENTS`,
  gsi1sk: `${fiscalYear}#${commitmentId}`,
});

/**
 * Commitments of a fiscal year for the period roll (gsi2, sparse): while active, and after the year's close
 * has begun until every village of it has closed (so a lost close unit is sent again).
 */
export const activeCommitmentIndex = (fiscalYear: number, commitmentId: string) => ({
  gsi2pk: `ACTIVE-COMMITMENTS#${fiscalYear}`,
  gsi2sk: commitmentId,
});

/**
 * Commitments of a fiscal year whose villages have all closed (gsi2, sparse): where the roll's close moves a
 * commitment once nothing of it is left to close, so its last invoices can still be found (and resent).
 */
export const closedCommitmentIndex = (fiscalYear: number, commitmentId: string) => ({
  gsi2pk: `CLOSED-COMMITMENTS#${fiscalYear}`,
  gsi2sk: commitmentId,
});

/** A village's quota within a commitment; listed by querying the commitment's partition. */
export const allocationKey = (commitmentId: string, villageCode: string) => ({
  pk: `COMMITMENT#${commitmentId}`,
  sk: `ALLOCATION#${villageCode}`,
});
export const ALLOCATION_SK_PREFIX = 'ALLOCATION#';

/** A village's allocations over every commitment, by fiscal year (gsi1): who may fund an enrollment there. */
export const allocationByVillage = (villageCode: string, fiscalYear: number, commitmentId: string) => ({
  gsi1pk: `VILLAGE#${villageCode}#ALLOCATIONS`,
  gsi1sk: `${fiscalYear}#${commitmentId}`,
});

/** A proposed or approved move of quota between villages of a commitment; listed from the commitment's partition. */
export const reallocationKey = (commitmentId: string, reallocationId: string) => ({
  pk: `COMMITMENT#${commitmentId}`,
  sk: `REALLOCATION#${reallocationId}`,
});
export const REALLOCATION_SK_PREFIX = 'REALLOCATION#';

/** Whether a text has the shape of the ids this store gives out (ULIDs); anything else names nothing. */
export const isStoreId = (id: string): boolean => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id);

export const workerKey = (nikKey: string) => ({ pk: `WORKER#${nikKey}`, sk: 'WORKER' });

/**
 * The worker's subsidised months of one year across every sponsor and village (invariant I3): one item whose
 * `months` number set must not already hold a month being claimed.
 */
export const coverageClaimKey = (nikKey: string, year: number) => ({
  pk: `WORKER#${nikKey}`,
  sk: `CLAIM#${year}`,
});

export const enrollmentKey = (commitmentId: string, villageCode: string, enrollmentId: string) => ({
  pk: `ENROLLMENTS#${commitmentId}#${villageCode}`,
  sk: `ENROLLMENT#${enrollmentId}`,
});
export const enrollmentsOfAllocation = (commitmentId: string, villageCode: string) =>
  `ENROLLMENTS#${commitmentId}#${villageCode}`;

/** An enrollment found by its id alone (gsi1), and a village's enrollments over all commitments (gsi2). */
export const enrollmentIndexes = (enrollmentId: string, villageCode: string, startPeriod: string) => ({
  gsi1pk: `ENROLLMENT#${enrollmentId}`,
  gsi1sk: 'ENROLLMENT',
  gsi2pk: `VILLAGE#${villageCode}#ENROLLMENTS`,
  gsi2sk: `${startPeriod}#${enrollmentId}`,
});

/** Append-only ledger entries of one allocation (or of the commitment itself when `villageCode` is absent). */
export const ledgerEntryKey = (commitmentId: string, villageCode: string | undefined, entryId: string) => ({
  pk: `LEDGER#${commitmentId}${villageCode ? `#${villageCode}` : ''}`,
  sk: `ENTRY#${entryId}`,
});
export const ledgerPartition = (commitmentId: string, villageCode?: string) =>
  `LEDGER#${commitmentId}${villageCode ? `#${villageCode}` : ''}`;

/**
 * A village's invoice for one period of one commitment. The key is the invoice's identity, so issuing it is
 * a conditional put that a retried roll cannot repeat; the id that clients see encodes the same three parts.
 */
export const invoiceKey = (commitmentId: string, villageCode: string, period: string) => ({
  pk: `INVOICES#${commitmentId}#${villageCode}`,
  sk: `INVOICE#${period}`,
});
export const INVOICE_SK_PREFIX = 'INVOICE#';

/** The sort key prefix of an invoice's line chunks. */
export const invoiceLinesPrefix = (period: string) => `LINES#${period}#`;

/** The lines of an invoice, in chunks beside its header item (numbered from 1). */
export const invoiceLinesKey = (
  commitmentId: string,
  villageCode: string,
  period: string,
  chunk: number,
) => ({
  pk: `INVOICES#${commitmentId}#${villageCode}`,
  sk: `${invoiceLinesPrefix(period)}${String(chunk).padStart(4, '0')}`,
});

/** The credit note that voids an invoice (the invoice itself is never deleted). */
export const creditNoteKey = (commitmentId: string, villageCode: string, period: string) => ({
  pk: `INVOICES#${commitmentId}#${villageCode}`,
  sk: `CREDIT-NOTE#${period}`,
});

/** A sponsor's invoices by period and village (gsi1), and a village's invoices by period (gsi2). */
export const invoiceIndexes = (
  sponsorId: string,
  villageCode: string,
  period: string,
  commitmentId: string,
) => ({
  gsi1pk: `SPONSOR#${sponsorId}#INVOICES`,
  gsi1sk: `${period}#${villageCode}#${commitmentId}`,
  gsi2pk: `VILLAGE#${villageCode}#INVOICES`,
  gsi2sk: `${period}#${commitmentId}`,
});

/** The gap-free invoice number sequence of a sponsor and year. */
export const invoiceSequenceKey = (sponsorId: string, year: number) => ({
  pk: `SPONSOR#${sponsorId}`,
  sk: `INVOICE-SEQUENCE#${year}`,
});

/** An alert for a sponsor, e.g. a village whose coverage lapsed for unpaid invoices. */
export const alertKey = (sponsorId: string, period: string, villageCode: string, kind: string) => ({
  pk: `SPONSOR#${sponsorId}`,
  sk: `ALERT#${period}#${villageCode}#${kind}`,
});
export const ALERT_SK_PREFIX = 'ALERT#';

/** `{commitmentId}_{villageCode}_{period}`: an invoice id names its key (ulids and codes hold no `_`). */
export const invoiceId = (commitmentId: string, villageCode: string, period: string) =>
  `${commitmentId}_${villageCode}_${period}`;

/** The parts of an invoice id, or `undefined` if it is not one. */
export const parseInvoiceId = (id: string) => {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})_(\d{2}\.\d{2}\.\d{2}\.\d{4})_(\d{4}-\d{2})$/.exec(id);
  if (!match) return undefined;
  const [, commitmentId = '', villageCode = '', period = ''] = match;
  return { commitmentId, villageCode, period };
};

/** A bulk import job: its state, counts and cursor (the next chunk to process). */
export const importJobKey = (jobId: string) => ({ pk: `IMPORT#${jobId}`, sk: 'IMPORT' });

/** A village's import jobs, newest last (gsi2). */
export const importJobIndex = (villageCode: string, createdAt: string, jobId: string) => ({
  gsi2pk: `VILLAGE#${villageCode}#IMPORTS`,
  gsi2sk: `${createdAt}#${jobId}`,
});

/** The raw rows of one chunk of an import job (numbered from 0), beside the job item. */
export const importRowsKey = (jobId: string, chunk: number) => ({
  pk: `IMPORT#${jobId}`,
  sk: `ROWS#${String(chunk).padStart(5, '0')}`,
});

/** The per-row results of one chunk of an import job, written with the job's cursor moving past it. */
export const importResultsKey = (jobId: string, chunk: number) => ({
  pk: `IMPORT#${jobId}`,
  sk: `RESULTS#${String(chunk).padStart(5, '0')}`,
});
export const IMPORT_RESULTS_SK_PREFIX = 'RESULTS#';

/** The job an `Idempotency-Key` (scoped to its caller and route, then hashed) created. */
export const importIdempotencyKey = (keyHash: string) => ({
  pk: `IMPORT-KEY#${keyHash}`,
  sk: 'IMPORT-KEY',
});

/** A collection partner (market manager, agent, bank branch, village cashier), with its running totals. */
export const partnerKey = (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' });

/**
 * A partner's entry in the directory of partners, by area: written with the partner, never updated (the partner
 * item takes every deposit's counters; the directory is what lists them).
 */
export const PARTNER_DIRECTORY_PK = 'PARTNERS';
export const partnerDirectoryKey = (areaCode: string, partnerId: string) => ({
  pk: PARTNER_DIRECTORY_PK,
  sk: `${areaCode}#${partnerId}`,
});

/** What a partner collected in one period (by deposit date): amount and number of deposits. */
export const partnerPeriodKey = (partnerId: string, period: string) => ({
  pk: `PARTNER#${partnerId}`,
  sk: `PERIOD#${period}`,
});

/** One deposit: a partner's receipt number names it, so recording it is a put no retry can repeat. */
export const depositKey = (partnerId: string, receiptNumber: string) => ({
  pk: `DEPOSIT#${partnerId}#${receiptNumber}`,
  sk: 'DEPOSIT',
});

/** A worker's deposits at a partner, by day (gsi1); a partner's deposits of a period, by worker (gsi2). */
export const depositIndexes = (
  partnerId: string,
  nikKey: string,
  period: string,
  depositedAt: string,
  receiptNumber: string,
) => ({
  gsi1pk: `PARTNER#${partnerId}#WORKER#${nikKey}`,
  gsi1sk: `${depositedAt}#${receiptNumber}`,
  gsi2pk: `PARTNER#${partnerId}#DEPOSITS#${period}`,
  gsi2sk: `${nikKey}#${receiptNumber}`,
});

/** One refund from a worker's balance, named by the partner's receipt number as a deposit is. */
export const refundKey = (partnerId: string, receiptNumber: string) => ({
  pk: `REFUND#${partnerId}#${receiptNumber}`,
  sk: 'REFUND',
});

/** A worker's contribution balance, over every partner (what the roll pays the worker's share from). */
export const contributionBalanceKey = (nikKey: string) => ({ pk: `WORKER#${nikKey}`, sk: 'BALANCE' });

/** The contribution ledger of a worker: one entry per deposit and refund (and, later, premium applied). */
export const contributionLedgerKey = (nikKey: string, entryId: string) => ({
  pk: `LEDGER#WORKER#${nikKey}`,
  sk: `ENTRY#${entryId}`,
});
export const contributionLedgerPartition = (nikKey: string) => `LEDGER#WORKER#${nikKey}`;

/** The contribution ledger entries a partner made, for its reconciliation (gsi1). */
export const contributionLedgerIndex = (partnerId: string, entryId: string) => ({
  gsi1pk: `PARTNER#${partnerId}#LEDGER`,
  gsi1sk: entryId,
});

/** An incentive scheme of a sponsor (issue 19): its terms and, once evaluated, its outcome. */
export const incentiveKey = (schemeId: string) => ({ pk: `INCENTIVE#${schemeId}`, sk: 'INCENTIVE' });

/** A sponsor's incentive schemes, newest first (gsi1). */
export const incentiveBySponsor = (sponsorId: string, schemeId: string) => ({
  gsi1pk: `SPONSOR#${sponsorId}#INCENTIVES`,
  gsi1sk: schemeId,
});

/**
 * Schemes not evaluated yet, by period (gsi2, sparse): what the roll of a month reads to find the schemes
 * whose period has ended; an evaluated scheme leaves it.
 */
export const pendingIncentiveIndex = (period: string, schemeId: string) => ({
  gsi2pk: 'INCENTIVES-PENDING',
  gsi2sk: `${period}#${schemeId}`,
});

/**
 * A region's award of a scheme, beside the scheme: the key is the award's identity (scheme + region), so a
 * retried or concurrent evaluation cannot award a region twice.
 */
export const incentiveAwardKey = (schemeId: string, regionCode: string) => ({
  pk: `INCENTIVE#${schemeId}`,
  sk: `AWARD#${regionCode}`,
});
export const INCENTIVE_AWARD_SK_PREFIX = 'AWARD#';

/** A worker on a list a sponsor uploaded (e.g. P3KE): keyed by the keyed hash of the NIK, never the NIK. */
export const listMemberKey = (sponsorId: string, list: string, nikKey: string) => ({
  pk: listPartition(sponsorId, list),
  sk: `MEMBER#${nikKey}`,
});
export const listPartition = (sponsorId: string, list: string) => `LIST#${sponsorId}#${list}`;

/** A worker's contribution account at the partner that collects for them, beside the partner (its roll reads them). */
export const contributionAccountKey = (partnerId: string, nikKey: string) => ({
  pk: `PARTNER#${partnerId}`,
  sk: `CONTRIBUTOR#${nikKey}`,
});
export const CONTRIBUTOR_SK_PREFIX = 'CONTRIBUTOR#';

/** The one contribution account a worker may have, across every partner: it names the partner. */
export const contributorGuardKey = (nikKey: string) => ({
  pk: `WORKER#${nikKey}`,
  sk: 'CONTRIBUTION-ACCOUNT',
});

/** Partners with contribution accounts, for the period roll's fan-out (gsi2, on the partner item). */
export const contributionPartnerIndex = (partnerId: string) => ({
  gsi2pk: 'CONTRIBUTION-PARTNERS',
  gsi2sk: partnerId,
});

/**
 * The month of one account (paid or unpaid), in the partition of the partner's remittance of that period: the
 * key is the month's identity, so a unit delivered twice cannot apply it twice, and the paid ones are the lines.
 */
export const contributionMonthKey = (partnerId: string, period: string, nikKey: string) => ({
  pk: `REMITTANCE#${partnerId}#${period}`,
  sk: `MONTH#${nikKey}`,
});
export const CONTRIBUTION_MONTH_SK_PREFIX = 'MONTH#';

/** A partner's remittance of a period to BPJS billing (its header; the months beside it are its lines). */
export const remittanceKey = (partnerId: string, period: string) => ({
  pk: `REMITTANCE#${partnerId}#${period}`,
  sk: 'REMITTANCE',
});

/** `{partnerId}_{period}`: a remittance id names its key. */
export const remittanceId = (partnerId: string, period: string) => `${partnerId}_${period}`;

/** The parts of a remittance id, or `undefined` if it is not one. */
export const parseRemittanceId = (id: string) => {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})_(\d{4}-\d{2})$/.exec(id);
  if (!match) return undefined;
  const [, partnerId = '', period = ''] = match;
  return { partnerId, period };
};
