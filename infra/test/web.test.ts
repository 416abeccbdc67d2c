import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { describe, expect, it } from 'vitest';
import { apiPathPatterns, spaRoutingCode } from '../lib/web.js';
import { type BuiltStack, buildStack, fixtureDashboard, propertiesOf } from './support.js';

interface Behavior {
  readonly PathPattern?: string;
  readonly TargetOriginId: string;
  readonly ViewerProtocolPolicy: string;
  readonly CachePolicyId: string;
  readonly ResponseHeadersPolicyId: unknown;
  readonly FunctionAssociations?: unknown[];
}

interface DistributionConfig {
  readonly DefaultRootObject: string;
  readonly DefaultCacheBehavior: Behavior;
  readonly CacheBehaviors: Behavior[];
  readonly Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown }[];
  readonly CustomErrorResponses?: unknown;
  readonly Logging?: unknown;
}

// CloudFront's managed cache policy that caches nothing.
const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

/** A deploy-time value written as cdk-nag does, `<Name>` or `<Name.Attribute>`, to read it in a test. */
const placeholder = (value: unknown): string => {
  const { Ref, 'Fn::GetAtt': getAtt } = value as { Ref?: string; 'Fn::GetAtt'?: string[] };
  if (Ref) return `<${Ref}>`;
  if (getAtt) return `<${getAtt.join('.')}>`;
  throw new Error(`Unexpected deploy-time value ${JSON.stringify(value)}`);
};

/** A CloudFormation `Fn::Join` with its deploy-time values as placeholders. */
const joined = (value: unknown): string => {
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join(separator);
};

/**
 * The deployed `config.json`: the file staged in the cloud assembly, with each deploy-time value that
 * the BucketDeployment fills in as a placeholder.
 */
const deployedConfig = ({ app, stack, template }: BuiltStack): Record<string, unknown> => {
  const [deployment = {}] = propertiesOf(template, 'Custom::CDKBucketDeployment');
  const asset = (stack.web.deployment?.node.findAll() ?? [])
    .filter((child) => child instanceof Asset)
    .find((candidate) => existsSync(join(app.outdir, candidate.assetPath, 'config.json')));
  if (!asset) throw new Error('No config.json among the deployed files');
  // The deployment lists its sources' object keys and their markers in the same order.
  const index = (deployment.SourceObjectKeys as string[]).indexOf(stack.resolve(asset.s3ObjectKey));
  const markers = (deployment.SourceMarkers as Record<string, unknown>[])[index] ?? {};
  let text = readFileSync(join(app.outdir, asset.assetPath, 'config.json'), 'utf8');
  for (const [marker, value] of Object.entries(markers)) text = text.replaceAll(marker, placeholder(value));
  return JSON.parse(text) as Record<string, unknown>;
};

describe('Web', () => {
  const bare = buildStack('dev');
  const withDashboard = buildStack('dev', { dashboardDirectory: fixtureDashboard });
  const [distribution] = propertiesOf(bare.template, 'AWS::CloudFront::Distribution');
  const config = distribution?.DistributionConfig as DistributionConfig;
  const siteBucket = bare.stack.getLogicalId(bare.stack.web.bucket.node.defaultChild as CfnBucket);

  it('keeps the dashboard in a private, encrypted bucket that refuses plain HTTP and logs its accesses', () => {
    // Assess
    bare.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'site/' },
    });
    bare.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets only this distribution read the bucket, through Origin Access Control', () => {
    // Prepare
    const s3Origin = config.Origins.find(
      (origin) => origin.Id === config.DefaultCacheBehavior.TargetOriginId,
    );

    // Assess
    bare.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    expect(s3Origin?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
    bare.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    bare.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('serves index.html at the root and for every dashboard route, over HTTPS only', () => {
    // Assess
    expect(config.DefaultRootObject).toBe('index.html');
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: expect.any(String) });
    }
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: expect.anything() },
    ]);
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('falls back to /index.html for routes but not for files, and leaves API errors alone', () => {
    // Prepare
    const handler = new Function(`${spaRoutingCode}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    const uriFor = (uri: string) => handler({ request: { uri } }).uri;

    // Assess
    expect(uriFor('/commitments/01J0ABC')).toBe('/index.html');
    expect(uriFor('/')).toBe('/index.html');
    expect(uriFor('/assets/index-3f2a.js')).toBe('/assets/index-3f2a.js');
    expect(uriFor('/config.json')).toBe('/config.json');
    // Distribution-wide error responses would rewrite the API's 403 and 404 problem documents.
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('hands /v1/* and /health to the HTTP API, uncached, with the caller’s headers', () => {
    // Prepare
    const { stack } = bare;
    const apiId = stack.getLogicalId(stack.api.httpApi.node.defaultChild as never);

    // Assess
    expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern)).toEqual([...apiPathPatterns]);
    for (const behavior of config.CacheBehaviors) {
      const origin = config.Origins.find((candidate) => candidate.Id === behavior.TargetOriginId);
      expect(JSON.stringify(origin?.DomainName)).toContain(apiId);
      expect(behavior.CachePolicyId).toBe(cachingDisabled);
    }
  });

  it('sends security headers: HSTS, a content security policy, no framing, no sniffing', () => {
    // Assess
    bare.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 730 * 24 * 60 * 60 }),
          ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.anyValue() }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: Match.objectLike({ ReferrerPolicy: 'strict-origin-when-cross-origin' }),
        }),
      },
    });
  });

  it('outputs the dashboard URL', () => {
    // Assess
    const outputs = bare.template.findOutputs('*', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }]] },
    });
    expect(Object.keys(outputs)).toEqual(['DashboardUrl']);
  });

  it('leaves the bucket empty when the dashboard has not been built', () => {
    // Assess
    expect(bare.stack.web.deployment).toBeUndefined();
    bare.template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  it('deploys a built dashboard with its sign-in configuration, and refreshes the cache', () => {
    // Prepare
    const { stack, template } = withDashboard;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as never);

    // Act
    const [deployment] = propertiesOf(template, 'Custom::CDKBucketDeployment');

    // Assess: the built files and config.json, whose values are only known at deploy time.
    expect(deployment).toMatchObject({
      DestinationBucketName: { Ref: logicalId(stack.web.bucket) },
      DistributionId: { Ref: logicalId(stack.web.distribution) },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    expect(deployment?.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment?.SourceMarkers);
    expect(markers).toContain(logicalId(stack.api.userPool));
    expect(markers).toContain(logicalId(stack.api.client));
  });

  it('tells the dashboard in config.json where to sign in: the hosted UI, its client, the way back', () => {
    // Prepare
    const { stack } = withDashboard;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as never);

    // Act
    const config = deployedConfig(withDashboard);

    // Assess
    expect(config).toEqual({
      region: '<AWS::Region>',
      userPoolId: `<${logicalId(stack.api.userPool)}>`,
      clientId: `<${logicalId(stack.api.client)}>`,
      cognitoDomain: 'https://lindung-dev-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com',
      redirectUri: `https://<${logicalId(stack.web.distribution)}.DomainName>/`,
      apiBaseUrl: '/',
    });
  });

  it('lets the dashboard fetch tokens from the hosted UI and from nowhere else but its own origin', () => {
    // Act
    const [policy = {}] = propertiesOf(bare.template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const { SecurityHeadersConfig: headers } = policy.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
    };
    const directives = joined(headers.ContentSecurityPolicy.ContentSecurityPolicy).split('; ');

    // Assess
    expect(directives).toContain(
      "connect-src 'self' https://lindung-dev-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com",
    );
  });
});
