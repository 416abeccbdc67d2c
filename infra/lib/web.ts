import { existsSync } from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { type Api, signInBaseUrl } from './api.js';
import { repositoryRoot } from './lindung-function.js';
import type { StageSettings } from './stage.js';

/** Where the dashboard's build puts its static files (packages/web). */
export const dashboardBuildDirectory = `${repositoryRoot}packages/web/dist`;

/** The dashboard's `/config.json` on AWS (packages/web `DeploymentConfig`): where and how to sign in. */
const dashboardConfig = (api: Api, redirectUri: string) => ({
  region: Stack.of(api).region,
  userPoolId: api.userPool.userPoolId,
  clientId: api.client.userPoolClientId,
  cognitoDomain: api.signInUrl,
  redirectUri,
  apiBaseUrl: '/',
});

/** The paths CloudFront hands to the HTTP API instead of the bucket: the dashboard calls them same-origin. */
export const apiPathPatterns = ['/v1/*', '/health'] as const;

/**
 * The SPA fallback, a CloudFront Function: a path without a file extension is a route of the
 * single-page dashboard, so it gets the dashboard's shell. It runs on the bucket's behaviour only,
 * because distribution-wide error responses (403/404 → /index.html) would also turn the API's own 403
 * and 404 problem documents under /v1 into the dashboard's HTML.
 */
export const spaRoutingCode = `function handler(event) {
  var request = event.request;
  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

export interface WebProps {
  readonly settings: StageSettings;
  /** The dashboard's built files, deployed if the directory exists at synth time; else the bucket stays empty. */
  readonly dashboardDirectory?: string;
}

/**
 * The dashboard: its static files in a private bucket that only CloudFront may read (Origin Access
 * Control), served over HTTPS with security headers, and the HTTP API under the same origin so the
 * dashboard needs no CORS and calls `/v1/…` exactly as it does on the local stack.
 *
 * Built in two steps, because the API's sign-in client must name the dashboard's address and the
 * dashboard must route to the API: the constructor creates the distribution, `serveApi` adds the API's
 * paths and deploys the files with the sign-in configuration.
 */
export class Web extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly url: string;
  /** Where Cognito's managed login sends users back after sign-in and sign-out: the dashboard's root. */
  readonly redirectUri: string;
  private readonly dashboardDirectory: string;
  private readonly securityHeaders: cloudfront.ResponseHeadersPolicy;
  private served: { readonly deployment: s3deploy.BucketDeployment | undefined } | undefined;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const { settings } = props;
    this.dashboardDirectory = props.dashboardDirectory ?? dashboardBuildDirectory;
    // The files are rebuilt from the repository, the logs expire: neither is worth keeping outside prod.
    const removalPolicy = settings.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Log delivery writes with SSE-S3 only; CloudFront's standard logs also need ACLs on the bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(settings.isProduction ? 365 : 30) }],
      removalPolicy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the access logs of the dashboard bucket and of CloudFront; logging its own ' +
        'accesses into itself would log every log delivery.',
    });

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site/',
      removalPolicy,
    });

    this.securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `lindung-${settings.name}-security-headers`,
      comment: 'Lindung dashboard and API: HSTS, CSP, no framing, no sniffing',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: {
          // The dashboard talks to its own origin (the API is under /v1) and, for the tokens of a
          // sign-in, to the token endpoint of the user pool's managed login.
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            `connect-src 'self' ${signInBaseUrl(this, settings.name)}`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });

    const spaRouting = new cloudfront.Function(this, 'SpaRouting', {
      functionName: `lindung-${settings.name}-spa-routing`,
      comment: 'Serves /index.html for the dashboard routes (paths without a file extension)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(spaRoutingCode),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Lindung ${settings.name}: dashboard and API`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [
          { function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Price class 200 includes the edge locations in Indonesia and the rest of Asia.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: the dashboard holds no data (everything is behind the Cognito-authorized ' +
          'API), and auditors and BPJS staff must reach it from wherever they work.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF yet: a CLOUDFRONT-scope web ACL must live in us-east-1 while this stack is ' +
          'region-agnostic; the API behind /v1 has API Gateway throttling and the JWT authorizer.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, which does not let a minimum ' +
          'TLS version be set; a custom domain with its own certificate and TLSv1.2_2021 is a stage setting to come.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;
    this.redirectUri = `${this.url}/`;

    new CfnOutput(this, 'DashboardUrl', {
      value: this.url,
      description: 'The dashboard, with the API under /v1 on the same origin',
    }).overrideLogicalId('DashboardUrl');
  }

  /** Present once the API is served, when the dashboard was built before synth. */
  get deployment(): s3deploy.BucketDeployment | undefined {
    return this.served?.deployment;
  }

  /**
   * Hands the API's paths (/v1/*, /health) to the HTTP API, uncached, and deploys the dashboard's files
   * (if built) with the `config.json` that tells it where to sign in.
   */
  serveApi(api: Api): void {
    if (this.served) throw new Error('The dashboard already serves an API');
    const stack = Stack.of(this);
    const origin = new origins.HttpOrigin(
      `${api.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    for (const pattern of apiPathPatterns) {
      this.distribution.addBehavior(pattern, origin, {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Every answer depends on the caller's token; API Gateway wants its own host name.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.securityHeaders,
      });
    }
    this.served = {
      deployment: existsSync(this.dashboardDirectory)
        ? this.deployDashboard(this.dashboardDirectory, api)
        : undefined,
    };
  }

  private deployDashboard(directory: string, api: Api): s3deploy.BucketDeployment {
    const deployment = new s3deploy.BucketDeployment(this, 'Dashboard', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(directory),
        // What the dashboard cannot know at build time: where and how to sign in.
        s3deploy.Source.jsonData('config.json', dashboardConfig(api, this.redirectUri)),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    // The copying function is a stack-wide singleton that CDK creates; its role is the one handle on it.
    // cdk-nag 3 wants each wildcard acknowledged by name.
    const bucketArn = `<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const objectActions = 'CDK grants the BucketDeployment function, which runs only during a deployment';
    Validations.of(deployment.handlerRole.node.scope ?? deployment).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'CDK’s BucketDeployment function (Python, with the AWS CLI layer) picks its own runtime.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${objectActions}, the basic execution role for its own logs and nothing else.`,
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${objectActions}, ${action} on the CDK asset bucket and on this dashboard bucket only.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: `${objectActions}, read access to the objects of the CDK asset bucket, where the dashboard’s zip is.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${bucketArn}/*]`,
        reason: `${objectActions}, write access to the objects of this dashboard bucket, which it replaces.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${objectActions}, cloudfront:CreateInvalidation and GetInvalidation, to refresh the cached dashboard.`,
      },
    );
    return deployment;
  }
}
