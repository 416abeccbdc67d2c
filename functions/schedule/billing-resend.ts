/**
 * Lambda entry point of the billing sweep (EventBridge Scheduler, every 10 minutes, Asia/Jakarta): every
 * invoice that billing has not answered `LINDUNG_BILLING_RESEND_AFTER_MINUTES` (default 60) after it was last
 * handed over is handed over again; billing de-duplicates by invoice id. Each resend counts in the
 * `InvoicesResent` metric (EMF), which has an alarm: resends heal a lost message, but many mean billing is
 * not answering.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { ScheduledInvocation } from '../registry.js';
import { logger } from '../shared/observability.js';
import { periodRenewal } from '../shared/renewal.js';

/** EMF metrics in the `Lindung` namespace, with the `service` dimension (the alarm in infra/lib/billing.ts). */
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Lindung',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'lindung',
});

/** Minutes without an answer after which an invoice is sent again. */
export const resendAfterMinutes = (setting = process.env.LINDUNG_BILLING_RESEND_AFTER_MINUTES ?? '60') => {
  const minutes = Number(setting);
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw new Error(`LINDUNG_BILLING_RESEND_AFTER_MINUTES must be a whole number of minutes, got ${setting}`);
  }
  return minutes;
};

export const handler = middy(async (event: ScheduledInvocation) => {
  const summary = await periodRenewal.resendUnanswered(new Date(event.scheduledTime), resendAfterMinutes());
  if (summary.resent.length > 0) {
    // Published only when something was resent: the alarm treats a missing datapoint as nothing resent.
    metrics.addMetric('InvoicesResent', MetricUnit.Count, summary.resent.length);
    metrics.publishStoredMetrics();
    logger.info('invoices billing had not answered sent again', {
      unanswered: summary.unanswered,
      resent: summary.resent.length,
      invoiceIds: summary.resent.slice(0, 50),
    });
  }
  return { unanswered: summary.unanswered, resent: summary.resent.length };
}).use(injectLambdaContext(logger));
