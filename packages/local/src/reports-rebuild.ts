/**
 * `npm run reports:rebuild`: recomputes the reports table exactly from the ledger table (cells from every
 * allocation's items, then every rollup), or with `--check` only compares and lists the differences.
 * An offline tool: run it while no enrollments or rolls are in flight (see ReportsRepository.rebuild).
 *   --check                 compare only; exit 1 when the read model differs from the source
 *   --commitment ID         only this commitment (repeatable); default every commitment (a Scan)
 *   --stage NAME            tables lindung-NAME-ledger / -reports (default $LINDUNG_STAGE or local)
 *   --endpoint URL          DynamoDB endpoint, e.g. the local stack started with --dynamodb-port 8000
 * On AWS, run it with credentials allowed to read the ledger table and write the reports table.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient, ledgerTable, ReportsRepository, reportsTable, tableName } from '@lindung/store';
import { LOCAL_REGION } from './stack.js';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    commitment: { type: 'string', multiple: true },
    stage: { type: 'string' },
    endpoint: { type: 'string' },
  },
  strict: true,
});
const stage = values.stage ?? process.env.LINDUNG_STAGE ?? 'local';
const local = stage === 'local';
const client = new DynamoDBClient({
  ...(values.endpoint && { endpoint: values.endpoint }),
  ...(local && { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
});
const reports = new ReportsRepository(
  documentClient(client),
  process.env.TABLE_LEDGER ?? tableName(stage, ledgerTable),
  process.env.TABLE_REPORTS ?? tableName(stage, reportsTable),
);
const started = Date.now();
const result = await reports.rebuild({
  write: !values.check,
  ...(values.commitment && { commitmentIds: values.commitment }),
});
for (const difference of result.differences) console.log(`differs: ${difference}`);
console.log(
  `${values.check ? 'checked' : 'rebuilt'} ${result.commitments} commitments, ${result.cells} cells, ${result.rollups} rollups in ${((Date.now() - started) / 1000).toFixed(1)} s; ${result.differences.length} differences`,
);
client.destroy();
process.exitCode = result.differences.length > 0 ? 1 : 0;
