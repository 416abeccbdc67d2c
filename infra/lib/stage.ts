import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** What differs between deployments of Lindung: names, how long logs live, what may be destroyed. */
export interface StageSettings {
  readonly name: string;
  /** Production keeps everything it stores; other stages may drop tables that hold no money or people. */
  readonly isProduction: boolean;
  readonly logRetention: RetentionDays;
}

// Stage names end up in table, queue, function and user pool names, so they stay short and lowercase.
const stageNamePattern = /^[a-z][a-z0-9-]{0,15}$/;

/** Settings of a stage, e.g. `dev` or `prod`; throws on a name that cannot prefix AWS resource names. */
export const stageSettings = (name: string): StageSettings => {
  if (!stageNamePattern.test(name)) {
    throw new Error(
      `Invalid stage '${name}': use 1-16 lowercase letters, digits or dashes, starting with a letter`,
    );
  }
  const isProduction = name === 'prod';
  return {
    name,
    isProduction,
    logRetention: isProduction ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
  };
};

/** CloudFormation stack name of a stage, e.g. `Lindung-dev`. */
export const stackName = (stage: string): string => `Lindung-${stage}`;

/** Physical name of a Lambda function, e.g. `lindung-dev-http-api`. */
export const functionName = (stage: string, functionId: string): string => `lindung-${stage}-${functionId}`;

/** Construct id for a definition id: `renewal-work` becomes `RenewalWork`. */
export const constructId = (definitionId: string): string =>
  definitionId
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
