/**
 * The terms of active commitments, kept in the process so that an enrollment reads no commitment once warm.
 *
 * Why it is safe: an enrollment reads of its commitment only the id, sponsor, fiscal year, benefit, reservation
 * mode, eligibility rules, share and the commitment it co-funds,
 * and none of them changes once the commitment is approved (approval and the year's close change its status and
 * totals only); drafts, which could still be decided, are never kept. What can change — the commitment closing,
 * its village's quota — is guarded by the enrollment's transaction itself: the allocation item's `status = active`
 * and `available >= cost` conditions refuse an enrollment into a closed commitment or an exhausted quota in the
 * database, whatever this cache holds. The bound (entries and age) only limits memory and how long a commitment
 * corrected by hand in the table could be served as it was.
 */
import type { Commitment, CommitmentRepository } from '@lindung/store';

/** What an enrollment reads of its commitment. */
export type CommitmentTerms = Pick<
  Commitment,
  'id' | 'sponsorId' | 'fiscalYear' | 'benefit' | 'reservation' | 'eligibility' | 'share' | 'coFunds'
>;

export interface CommitmentTermsOptions {
  /** Commitments kept at most; the oldest kept goes first (a province runs a handful a year). */
  readonly maxEntries?: number;
  /** How long one is kept, in seconds. */
  readonly maxAgeSeconds?: number;
  readonly now?: () => number;
}

/** Active commitments' terms, read through `commitments` once per `maxAgeSeconds`, at most `maxEntries` of them. */
export class ActiveCommitmentTerms {
  readonly #kept = new Map<string, { readonly terms: CommitmentTerms; readonly until: number }>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(
    private readonly commitments: Pick<CommitmentRepository, 'require'>,
    { maxEntries = 256, maxAgeSeconds = 15 * 60, now = Date.now }: CommitmentTermsOptions = {},
  ) {
    this.#maxEntries = maxEntries;
    this.#maxAgeMs = maxAgeSeconds * 1000;
    this.#now = now;
  }

  /** The commitment's terms; throws `NotFoundError` as the repository does when there is none. */
  async require(id: string): Promise<CommitmentTerms> {
    const kept = this.#kept.get(id);
    if (kept && kept.until > this.#now()) return kept.terms;
    this.#kept.delete(id);
    const { sponsorId, fiscalYear, benefit, reservation, eligibility, share, coFunds, status } =
      await this.commitments.require(id);
    const terms: CommitmentTerms = {
      id,
      sponsorId,
      fiscalYear,
      benefit,
      reservation,
      ...(eligibility && { eligibility }),
      ...(share && { share }),
      ...(coFunds && { coFunds }),
    };
    if (status === 'active') {
      if (this.#kept.size >= this.#maxEntries) this.#kept.delete(this.#kept.keys().next().value as string);
      this.#kept.set(id, { terms, until: this.#now() + this.#maxAgeMs });
    }
    return terms;
  }
}
