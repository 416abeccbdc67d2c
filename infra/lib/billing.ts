import {
  billingInboxQueue,
  billingOutboxQueue,
  invoiceNumberingQueue,
  type QueueDefinition,
} from '@lindung/messaging';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { deployFunctions, type Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';
import { deployQueues, type WorkQueue } from './queues.js';

/** Minutes without an answer from billing after which an invoice is sent again (the sweep's setting). */
export const billingResendAfterMinutes = 60;

/**
 * Billing: the numbering of drafted invoices (invoice-numbering, a FIFO queue with one group per sponsor's
 * year, and its consumer, the single writer of each sponsor's invoice sequence), the queues to and from BPJS
 * billing, the consumer of what BPJS answers (acknowledged with a payment code, paid, rejected), and the
 * sweep that sends unanswered invoices again, with an alarm on its resends. The billing simulator that
 * answers locally is never deployed.
 */
export class Billing extends Construct {
  static readonly queueDefinitions: readonly QueueDefinition[] = [
    invoiceNumberingQueue,
    billingOutboxQueue,
    billingInboxQueue,
  ];
  static readonly functionIds: readonly string[] = ['invoice-numbering', 'billing-inbox', 'billing-resend'];
  readonly queues: readonly WorkQueue[];
  readonly functions: readonly LindungFunction[];
  /** Invoices had to be sent again: their messages were lost, or billing is not answering. */
  readonly resendAlarm: cloudwatch.Alarm | undefined;

  constructor(scope: Construct, id: string, platform: Platform) {
    super(scope, id);
    this.queues = deployQueues(this, Billing.queueDefinitions, platform);
    this.functions = deployFunctions(this, Billing.functionIds, platform);
    const sweep = this.functions.find((fn) => fn.definition.id === 'billing-resend');
    if (!sweep) return;
    sweep.handler.addEnvironment('LINDUNG_BILLING_RESEND_AFTER_MINUTES', String(billingResendAfterMinutes));
    // The EMF metric of functions/schedule/billing-resend.ts (Powertools: namespace and `service` dimension).
    this.resendAlarm = new cloudwatch.Metric({
      namespace: 'Lindung',
      metricName: 'InvoicesResent',
      dimensionsMap: { service: 'lindung' },
      statistic: 'Sum',
      period: Duration.hours(1),
    }).createAlarm(this, 'InvoicesResentAlarm', {
      alarmDescription:
        `lindung-${platform.settings.name}: invoices sent again after ${billingResendAfterMinutes} minutes ` +
        'without an answer from BPJS billing (lost or dead-lettered messages, or billing not answering); ' +
        'run `lindung doctor`',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
