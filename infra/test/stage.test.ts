import { describe, expect, it } from 'vitest';
import { alarmEmailsFromContext, signInDomainPrefix, stageSettings } from '../lib/stage.js';

describe('stageSettings', () => {
  it('lets dev run without alarm e-mail addresses', () => {
    // Act
    const settings = stageSettings('dev');

    // Assess
    expect(settings.alarmEmails).toEqual([]);
    expect(settings.isProduction).toBe(false);
  });

  it('refuses a prod stage whose alarms would reach nobody', () => {
    // Act & Assess
    expect(() => stageSettings('prod')).toThrow(/alarm e-mail/);
    expect(stageSettings('prod', { alarmEmails: ['ops@example.go.id'] }).alarmEmails).toEqual([
      'ops@example.go.id',
    ]);
  });

  it('refuses what is not an e-mail address', () => {
    // Act & Assess
    expect(() => stageSettings('dev', { alarmEmails: ['ops@example.go.id;dev@example.go.id'] })).toThrow(
      /Invalid alarm e-mail/,
    );
    expect(() => stageSettings('dev', { alarmEmails: ['ops'] })).toThrow(/Invalid alarm e-mail/);
  });

  it('refuses a stage name that cannot prefix AWS resource names', () => {
    // Act & Assess
    expect(() => stageSettings('Prod')).toThrow(/Invalid stage/);
  });

  it('refuses a stage name that Cognito would refuse in the sign-in domain', () => {
    // Act & Assess
    for (const name of ['aws-test', 'myamazon', 'cognito']) {
      expect(() => stageSettings(name)).toThrow(/may not contain aws, amazon or cognito/);
    }
  });
});

describe('signInDomainPrefix', () => {
  it('names the sign-in domain after the stage and the account, as Cognito allows', () => {
    // Act
    const prefix = signInDomainPrefix('staging-2', '123456789012');

    // Assess: lowercase letters, digits and hyphens, at most 63 characters.
    expect(prefix).toBe('lindung-staging-2-123456789012');
    expect(prefix).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});

describe('alarmEmailsFromContext', () => {
  it('reads a comma-separated -c value and a cdk.json array alike', () => {
    // Act & Assess
    expect(alarmEmailsFromContext('a@example.go.id, b@example.go.id')).toEqual([
      'a@example.go.id',
      'b@example.go.id',
    ]);
    expect(alarmEmailsFromContext(['a@example.go.id'])).toEqual(['a@example.go.id']);
    expect(alarmEmailsFromContext(undefined)).toEqual([]);
    expect(alarmEmailsFromContext('')).toEqual([]);
  });
});
