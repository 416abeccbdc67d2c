import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** What differs between deployments of Lindung: names, how long logs live, what may be destroyed. */
export interface StageSettings {
  readonly name: string;
  /** Production keeps everything it stores; other stages may drop tables that hold no money or people. */
  readonly isProduction: boolean;
  readonly logRetention: RetentionDays;
  /** Who is e-mailed when an alarm fires (dead letters, stuck queues, function errors, API 5xx). */
  readonly alarmEmails: readonly string[];
}

/** What a deployment chooses beyond the stage name, e.g. from `-c alarmEmails=…`. */
export interface StageOptions {
  readonly alarmEmails?: readonly string[];
}

// Stage names end up in table, queue, function and user pool names, so they stay short and lowercase.
const stageNamePattern = /^[a-z][a-z0-9-]{0,15}$/;
// Cognito refuses a sign-in domain prefix containing these words, and the stage name is part of it.
const reservedInDomainPrefix = /aws|amazon|cognito/;
// Enough to catch a typo or a list passed as one string; SNS confirms the address itself.
const emailPattern = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/**
 * Settings of a stage, e.g. `dev` or `prod`; throws on a name that cannot prefix AWS resource names, and
 * on a production stage whose alarms would reach nobody.
 */
export const stageSettings = (name: string, options: StageOptions = {}): StageSettings => {
  if (!stageNamePattern.test(name)) {
    throw new Error(
      `Invalid stage '${name}': use 1-16 lowercase letters, digits or dashes, starting with a letter`,
    );
  }
  if (reservedInDomainPrefix.test(name)) {
    throw new Error(
      `Invalid stage '${name}': it names the Cognito sign-in domain, which may not contain aws, amazon or cognito`,
    );
  }
  const isProduction = name === 'prod';
  const alarmEmails = options.alarmEmails ?? [];
  const invalid = alarmEmails.filter((email) => !emailPattern.test(email));
  if (invalid.length > 0) {
    throw new Error(`Invalid alarm e-mail address(es): ${invalid.join(', ')}`);
  }
  if (isProduction && alarmEmails.length === 0) {
    throw new Error(
      `Stage '${name}' needs at least one alarm e-mail address: deploy with -c alarmEmails=ops@example.go.id`,
    );
  }
  return {
    name,
    isProduction,
    logRetention: isProduction ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
    alarmEmails,
  };
};

/**
 * The `alarmEmails` context value as a list: a comma-separated string from `-c alarmEmails=a@x,b@y`, or
 * a JSON array from cdk.json.
 */
export const alarmEmailsFromContext = (value: unknown): readonly string[] => {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
};

/** CloudFormation stack name of a stage, e.g. `Lindung-dev`. */
export const stackName = (stage: string): string => `Lindung-${stage}`;

/** Physical name of a Lambda function, e.g. `lindung-dev-http-api`. */
export const functionName = (stage: string, functionId: string): string => `lindung-${stage}-${functionId}`;

/**
 * Prefix of a stage's Cognito sign-in domain (`https://PREFIX.auth.REGION.amazoncognito.com`), e.g.
 * `lindung-dev-123456789012`: prefixes are unique per region across all accounts, so the account id
 * keeps two accounts' stages apart while the name stays the same on every deployment of the stage.
 */
export const signInDomainPrefix = (stage: string, account: string): string => `lindung-${stage}-${account}`;

/** Construct id for a definition id: `renewal-work` becomes `RenewalWork`. */
export const constructId = (definitionId: string): string =>
  definitionId
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
