import { describe, expect, it } from 'vitest';
import { alarmEmailsFromContext, stageSettings } from '../lib/stage.js';

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
