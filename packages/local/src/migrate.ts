/**
 * `npm run migrate -- NAME`: runs a data migration of the ledger table (packages/store/src/migrations.ts), such
 * as `allocation-village-index` after deploying the change that lets several sponsors fund one village.
 * Idempotent and resumable: run it again after an interruption, it finds only what is left.
 *   --check                 count what the migration would change; exit 1 if anything is left
 *   --stage NAME            table lindung-NAME-ledger (default $LINDUNG_STAGE or local)
 *   --endpoint URL          DynamoDB endpoint, e.g. the local stack started with --dynamodb-port 8000
 * On AWS, run it with credentials allowed to scan and update the ledger table.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  documentClient,
  ledgerTable,
  MIGRATIONS,
  type MigrationName,
  migrate,
  tableName,
} from '@lindung/store';
import { LOCAL_REGION } from './stack.js';

const { values, positionals } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    stage: { type: 'string' },
    endpoint: { type: 'string' },
  },
  allowPositionals: true,
  strict: true,
});
const name = positionals[0] as MigrationName | undefined;
if (!name || !MIGRATIONS.includes(name) || positionals.length > 1) {
  console.error(
    `usage: npm run migrate -- NAME [--check] [--stage NAME] [--endpoint URL]; NAME is one of ${MIGRATIONS.join(', ')}`,
  );
  process.exit(2);
}
const stage = values.stage ?? process.env.LINDUNG_STAGE ?? 'local';
const client = new DynamoDBClient({
  ...(values.endpoint && { endpoint: values.endpoint }),
  ...(stage === 'local' && {
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
});
const table = process.env.TABLE_LEDGER ?? tableName(stage, ledgerTable);
const started = Date.now();
const result = await migrate(documentClient(client), table, name, {
  write: !values.check,
  progress: (f) => process.stderr.write(`\r${name}: ${f.pending} found, ${f.written} written`),
});
process.stderr.write('\n');
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  values.check
    ? `${name} on ${table}: ${result.pending} items left to migrate (checked in ${seconds} s; nothing written)`
    : `${name} on ${table}: ${result.written} items migrated, ${result.alreadyDone} done by another run meanwhile, in ${seconds} s`,
);
client.destroy();
process.exitCode = values.check && result.pending > 0 ? 1 : 0;
