/**
 * Fires scheduled handlers on their EventBridge Scheduler cron expression, evaluated in their time zone
 * (Asia/Jakarta), like the schedules of the CDK stack.
 */
import { Cron } from 'croner';
import { type LambdaHandler, lambdaContext } from './lambda.js';

export interface ScheduleRegistration {
  readonly functionName: string;
  /** EventBridge cron, e.g. `cron(5 0 1 * ? *)`. */
  readonly cron: string;
  readonly timezone: string;
  readonly timeoutSeconds: number;
  readonly handler: LambdaHandler<{ scheduledTime: string }, unknown>;
}

/**
 * Turns an EventBridge cron (minutes hours day-of-month month day-of-week year) into croner's
 * five-field form. `?` means "any" there; croner would read it as "now", so it becomes `*`.
 */
export const toCronerPattern = (eventBridgeCron: string): string => {
  const body = /^cron\((.+)\)$/.exec(eventBridgeCron.trim())?.[1];
  const fields = body?.split(/\s+/);
  if (fields?.length !== 6) throw new Error(`not an EventBridge cron expression: ${eventBridgeCron}`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if (year !== '*') throw new Error(`the local scheduler does not support a year field: ${eventBridgeCron}`);
  const any = (field: string | undefined) => (field === '?' ? '*' : (field ?? '*'));
  return [minutes, hours, any(dayOfMonth), month, any(dayOfWeek)].join(' ');
};

/** Runs schedules on a timer; `fireDue` can also be driven by a test with an explicit clock. */
export class Scheduler {
  private readonly crons: { registration: ScheduleRegistration; cron: Cron }[];
  private lastCheck: Date;
  private timer: NodeJS.Timeout | undefined;
  private firing: Promise<unknown> = Promise.resolve();

  constructor(
    registrations: readonly ScheduleRegistration[],
    private readonly onError: (error: unknown, functionName: string) => void = () => undefined,
    now: Date = new Date(),
  ) {
    this.crons = registrations.map((registration) => ({
      registration,
      // Quartz weekday numbering (1 = Sunday) is what EventBridge uses.
      cron: new Cron(toCronerPattern(registration.cron), {
        timezone: registration.timezone,
        paused: true,
        alternativeWeekdays: true,
      }),
    }));
    this.lastCheck = now;
  }

  /** The next moment any schedule fires after `from`. */
  nextRun(from: Date = this.lastCheck): Date | undefined {
    const runs = this.crons.map((c) => c.cron.nextRun(from)).filter((d): d is Date => d !== null);
    return runs.sort((a, b) => a.getTime() - b.getTime())[0];
  }

  /** Fires, in order, every occurrence that fell due after the last check and at or before `now`. */
  async fireDue(now: Date): Promise<{ functionName: string; scheduledTime: string }[]> {
    const fired: { functionName: string; scheduledTime: string }[] = [];
    for (const { registration, cron } of this.crons) {
      let next = cron.nextRun(this.lastCheck);
      while (next && next.getTime() <= now.getTime()) {
        const scheduledTime = next.toISOString();
        try {
          await registration.handler(
            { scheduledTime },
            lambdaContext(registration.functionName, registration.timeoutSeconds),
          );
        } catch (error) {
          this.onError(error, registration.functionName);
        }
        fired.push({ functionName: registration.functionName, scheduledTime });
        next = cron.nextRun(next);
      }
    }
    this.lastCheck = now;
    return fired;
  }

  start(): void {
    const arm = () => {
      const next = this.nextRun();
      if (!next) return;
      // Timers cannot wait longer than ~24.8 days; wake at least hourly and look again.
      const wait = Math.min(Math.max(next.getTime() - Date.now(), 0), 60 * 60 * 1000);
      this.timer = setTimeout(() => {
        this.firing = this.fireDue(new Date()).finally(arm);
      }, wait);
    };
    arm();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.firing;
  }
}
