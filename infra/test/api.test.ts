import { ROLES, routeDefinitions, routeKey } from '@lindung/api';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, propertiesOf } from './support.js';

describe('Api', () => {
  const { stack, template } = buildStack('dev');
  const userPoolId = stack.getLogicalId(stack.api.userPool.node.defaultChild as never);
  const clientId = stack.getLogicalId(stack.api.client.node.defaultChild as never);
  const distributionId = stack.getLogicalId(stack.web.distribution.node.defaultChild as never);
  const signInUrl = {
    'Fn::Join': [
      '',
      [
        'https://lindung-dev-',
        { Ref: 'AWS::AccountId' },
        '.auth.',
        { Ref: 'AWS::Region' },
        '.amazoncognito.com',
      ],
    ],
  };

  it('checks Cognito tokens with a JWT authorizer whose audience is the dashboard client', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: userPoolId }],
          ],
        },
      },
    });
  });

  it('declares every route of the contract, public ones without a token and the rest behind the JWT', () => {
    // Assess
    for (const route of routeDefinitions) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey(route),
        AuthorizationType: route.auth === 'none' ? 'NONE' : 'JWT',
      });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /health',
      AuthorizationType: 'NONE',
    });
  });

  it('sends every undeclared route through the authorizer', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'JWT',
      AuthorizerId: Match.anyValue(),
    });
  });

  it('throttles the stage and writes access logs', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
  });

  it('has one user pool group per role and the scope attributes sponsorId, villageCodes and partnerId', () => {
    // Assess
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', ROLES.length);
    for (const role of ROLES) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
    }
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'sponsorId', AttributeDataType: 'String', Mutable: true }),
        Match.objectLike({ Name: 'villageCodes', AttributeDataType: 'String', Mutable: true }),
        Match.objectLike({ Name: 'partnerId', AttributeDataType: 'String', Mutable: true }),
      ]),
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('serves managed login (version 2) on a Cognito prefix domain named after the stage and the account', () => {
    // Assess
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['lindung-dev-', { Ref: 'AWS::AccountId' }]] },
      ManagedLoginVersion: 2,
      UserPoolId: { Ref: userPoolId },
    });
    // Managed login shows nothing for a client without a style.
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      UserPoolId: { Ref: userPoolId },
      ClientId: { Ref: clientId },
      UseCognitoProvidedValues: true,
    });
  });

  it('lets the dashboard sign in with the code grant only, as a public client, back to the distribution', () => {
    // Prepare
    const dashboardRoot = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']],
    };

    // Assess: no implicit grant, no client secret (a browser keeps none: PKCE stands in for it).
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [dashboardRoot],
      LogoutURLs: [dashboardRoot],
    });
  });

  it('outputs the API URL and the ids the dashboard and the first admin user need, under plain names', () => {
    // Act
    const outputs = Object.keys(template.findOutputs('*'));

    // Assess
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'HostedUiUrl', 'DashboardUrl']),
    );
    template.hasOutput('HostedUiUrl', { Value: signInUrl });
  });

  it('lets no user write their own scope attributes', () => {
    // Act
    const [client] = propertiesOf(template, 'AWS::Cognito::UserPoolClient');

    // Assess
    expect(client?.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:sponsorId', 'custom:villageCodes', 'custom:partnerId']),
    );
    expect(client?.WriteAttributes).toEqual(['email']);
  });
});
