/**
 * Invoice numbering, the use case of the invoice-numbering queue's consumer: the roll drafts invoices (their
 * money moved, no number), and this single writer of a sponsor's year issues them under gap-free numbers,
 * a batch at a time in one transaction, then hands each to billing. A redelivered request whose invoice is
 * already issued numbers nothing again; its hand-over is repeated only if it was not recorded.
 */
import { type Period, periodParts } from '@lindung/core';
import {
  type Invoice,
  type InvoiceRepository,
  NUMBERING_BATCH_LIMIT,
  type StoredInvoiceLine,
} from '@lindung/store';

/** A drafted invoice to number (the invoice-numbering message's data). */
export interface NumberingRequest {
  readonly invoiceId: string;
  readonly sponsorId: string;
  readonly period: Period;
}

export interface NumberingDependencies {
  readonly invoices: InvoiceRepository;
  /** Hands an issued invoice with its lines to billing (the billing-outbox queue). */
  readonly publishInvoice: (invoice: Invoice, lines: readonly StoredInvoiceLine[]) => Promise<void>;
}

const now = () => new Date().toISOString();

export class InvoiceNumbering {
  constructor(private readonly deps: NumberingDependencies) {}

  /**
   * Issues the drafts the requests name, in request order within each sponsor's year, one transaction per
   * sponsor's year (and per `NUMBERING_BATCH_LIMIT`). Returns the invoices as they now stand, in request order.
   */
  async number(requests: readonly NumberingRequest[]): Promise<Invoice[]> {
    const groups = new Map<string, { sponsorId: string; year: number; ids: string[] }>();
    for (const { invoiceId, sponsorId, period } of requests) {
      const { year } = periodParts(period);
      const key = `${sponsorId}#${year}`;
      const group = groups.get(key) ?? { sponsorId, year, ids: [] };
      group.ids.push(invoiceId);
      groups.set(key, group);
    }
    const byId = new Map<string, Invoice>();
    for (const { sponsorId, year, ids } of groups.values()) {
      for (let i = 0; i < ids.length; i += NUMBERING_BATCH_LIMIT) {
        const numbered = await this.deps.invoices.number(
          sponsorId,
          year,
          ids.slice(i, i + NUMBERING_BATCH_LIMIT),
        );
        for (const invoice of numbered) byId.set(invoice.id, invoice);
      }
    }
    return requests.map(({ invoiceId }) => byId.get(invoiceId) as Invoice);
  }

  /** Publishes an issued invoice and records the send; a resent invoice is recognised by billing by its id. */
  async send(invoice: Invoice): Promise<void> {
    if (invoice.status !== 'issued') return;
    await this.deps.publishInvoice(invoice, await this.deps.invoices.storedLines(invoice));
    const at = now();
    await this.deps.invoices.apply(invoice.id, 'send', { sentAt: at, lastSentAt: at, sendCount: 1 });
  }
}
