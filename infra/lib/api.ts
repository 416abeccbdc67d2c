import { ROLES, type Role, type RouteDefinition, routeDefinitions, routeKey } from '@lindung/api';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { deployFunctions, type Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';
import { signInDomainPrefix } from './stage.js';

/** One Cognito group per role of the contract; a user's groups arrive in the `cognito:groups` claim. */
export const roleDescriptions: Readonly<Record<Role, string>> = {
  admin: 'Creates sponsors and runs the period roll',
  'sponsor-officer': 'Drafts commitments and reallocations of the sponsor in custom:sponsorId',
  'sponsor-approver': 'Approves commitments and reallocations of the sponsor in custom:sponsorId',
  'village-operator': 'Enrolls and terminates workers of the villages in custom:villageCodes',
  billing: 'BPJS billing: reads invoices',
  auditor: 'Reads commitments, enrollments, invoices and reports',
  collector: 'Records deposits, refunds and reads statements of the collection partner in custom:partnerId',
  'regional-office':
    'BPJS regional office: reads every sponsor’s coverage, budgets and targets in the regions of custom:regionCodes',
};

/** Steady rate and burst per second for the whole API; bulk enrollment sends many rows per request. */
const throttle = { rateLimit: 50, burstLimit: 100 };

/**
 * Each route's own steady rate and burst per second, within the stage's: what costs more gets less, so a
 * flood of one route cannot take the function's reserved concurrency from the others. A bulk import works
 * through thousands of rows; the period roll and the operations routes are an operator's, run by hand.
 */
export const routeThrottle = (route: RouteDefinition): { rateLimit: number; burstLimit: number } => {
  if (route.path.endsWith('/import')) return { rateLimit: 2, burstLimit: 5 };
  if (/^\/v1\/(periods|operations)\//.test(route.path)) return { rateLimit: 1, burstLimit: 2 };
  if (route.method !== 'GET') return { rateLimit: 25, burstLimit: 50 };
  return throttle;
};

/**
 * Base URL of a stage's Cognito managed login (the hosted UI) and OAuth endpoints (`/oauth2/authorize`,
 * `/oauth2/token`, `/logout`). Known before the user pool exists, so that the dashboard's content security
 * policy, built before the API, can name it.
 */
export const signInBaseUrl = (scope: Construct, stage: string): string => {
  const { account, region } = Stack.of(scope);
  return `https://${signInDomainPrefix(stage, account)}.auth.${region}.amazoncognito.com`;
};

export interface ApiProps extends Platform {
  /**
   * Where the hosted UI sends a user back after sign-in and sign-out: the dashboard's address. The
   * dashboard's distribution exists before the API for this reason; the API's paths are added to it after.
   */
  readonly redirectUri: string;
}

/**
 * The enrollment API (HTTP API v1): the routes of packages/api on API Gateway (HTTP API, payload v2),
 * the one Lambda behind them, and a Cognito user pool whose tokens the JWT authorizer checks on every
 * non-public route; users sign in to the dashboard through the pool's managed login. Built after the
 * other contexts: GET /health reads the state of all their queues.
 */
export class Api extends Construct {
  static readonly functionIds: readonly string[] = ['http-api'];
  readonly handler: LindungFunction;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The Cognito prefix domain that serves the managed login pages and the OAuth endpoints. */
  readonly domain: cognito.UserPoolDomain;
  /** Base URL of the managed login and OAuth endpoints (see `signInBaseUrl`). */
  readonly signInUrl: string;
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly serverErrorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { settings } = props;
    const [handler, ...others] = deployFunctions(this, Api.functionIds, props);
    if (!handler || others.length > 0 || handler.definition.trigger.kind !== 'http') {
      throw new Error(`The registry needs exactly one deployed HTTP function with id ${Api.functionIds}`);
    }
    this.handler = handler;

    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `lindung-${settings.name}`,
      // Accounts are provisioned per role by an administrator; nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        sponsorId: new cognito.StringAttribute({ mutable: true, minLen: 1, maxLen: 64 }),
        villageCodes: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }),
        partnerId: new cognito.StringAttribute({ mutable: true, minLen: 1, maxLen: 64 }),
        regionCodes: new cognito.StringAttribute({ mutable: true, maxLen: 512 }),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      // The pool holds the people who move public money; losing it locks every office out.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of ROLES) {
      this.userPool.addGroup(role, { groupName: role, description: roleDescriptions[role] });
    }

    // Managed login (version 2) rather than the classic hosted UI: its pages are localized (the dashboard
    // asks for its own language) and take a style. On a Cognito prefix domain that keeps its name on every
    // deployment of the stage, so that the dashboard's content security policy can name it.
    this.domain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: signInDomainPrefix(settings.name, Stack.of(this).account) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.signInUrl = signInBaseUrl(this, settings.name);

    // The dashboard runs in the browser and can keep no secret: a public client that signs in with the
    // authorization code grant and PKCE (the implicit grant would put tokens in the URL), back to the
    // dashboard only.
    this.client = this.userPool.addClient('Dashboard', {
      userPoolClientName: 'dashboard',
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [props.redirectUri],
        logoutUrls: [props.redirectUri],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('sponsorId', 'villageCodes', 'partnerId', 'regionCodes'),
      // The scope attributes decide what a user may touch: only an administrator may write them.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    // Managed login serves an app client only once it has a style; Cognito's own is enough.
    new cognito.CfnManagedLoginBranding(this, 'SignInStyle', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // The `iss` claim of the pool's tokens; the JWT authorizer fetches its keys from `${issuer}/.well-known`.
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    const integration = new HttpLambdaIntegration('Handler', handler.handler);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `lindung-${settings.name}`,
      description: 'Lindung HTTP API v1',
      createDefaultStage: false,
      // `$default` catches every undeclared route behind the authorizer: only a route the contract
      // marks public is reachable without a token, and the handler answers the rest with a problem 404.
      defaultIntegration: integration,
      // The dashboard sends the ID token: its `aud` is the client, and it carries the groups and the scope
      // attributes that the handler reads (an access token has no custom attributes).
      defaultAuthorizer: new HttpJwtAuthorizer('Cognito', issuer, {
        jwtAudience: [this.client.userPoolClientId],
      }),
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Per-route throttles are stage route settings, which CloudFormation resolves by route key: the stage
    // waits for its routes.
    const stageResource = this.stage.node.defaultChild as apigw.CfnStage;
    stageResource.routeSettings = Object.fromEntries(
      routeDefinitions.map((route) => {
        const limits = routeThrottle(route);
        return [
          routeKey(route),
          { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
        ];
      }),
    );
    for (const route of routeDefinitions) {
      const routes = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration,
        ...(route.auth === 'none' ? { authorizer: new apigw.HttpNoneAuthorizer() } : {}),
      });
      for (const created of routes) stageResource.node.addDependency(created);
      if (route.auth === 'none') {
        for (const created of routes) {
          Validations.of(created).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${routeKey(route)} is public in the HTTP contract (packages/api routes): ${route.summary}`,
          });
        }
      }
    }

    // A 500 is an error nobody foresaw (the problem document hides it); a 503 is storage or queues down.
    this.serverErrorsAlarm = this.httpApi
      .metricServerError({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'ServerErrorsAlarm', {
        alarmDescription: `lindung-${settings.name} HTTP API: 5xx responses; see the access logs and the function's logs`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    // Plain output names: the README's deploy steps and scripts read them from the stack.
    const outputs = {
      ApiUrl: {
        value: this.stage.url,
        description: 'Base URL of the HTTP API (also under the dashboard URL)',
      },
      UserPoolId: {
        value: this.userPool.userPoolId,
        description: 'Cognito user pool of the users of every role',
      },
      UserPoolClientId: {
        value: this.client.userPoolClientId,
        description: 'Cognito app client of the dashboard',
      },
      HostedUiUrl: {
        value: this.signInUrl,
        description: 'Cognito managed login (hosted UI) where users sign in to the dashboard',
      },
    };
    for (const [name, props] of Object.entries(outputs)) {
      new CfnOutput(this, name, props).overrideLogicalId(name);
    }
  }
}
