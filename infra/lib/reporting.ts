import { Construct } from 'constructs';
import { deployFunctions, type Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';

/**
 * Reporting: the projector folds the ledger table's stream into the reports table (coverage and budget
 * rollups per region and commitment), so that no request path writes to an item many villages share.
 * The reports table itself is a shared definition, deployed with the others by Storage.
 */
export class Reporting extends Construct {
  static readonly functionIds: readonly string[] = ['reports-projector'];
  readonly functions: readonly LindungFunction[];

  constructor(scope: Construct, id: string, platform: Platform) {
    super(scope, id);
    this.functions = deployFunctions(this, Reporting.functionIds, platform);
  }
}
