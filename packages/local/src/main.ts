/**
 * `npm start`: runs the whole of Lindung on this machine with no AWS account.
 *   --port <n>           HTTP port (default 3000, or $PORT)
 *   --data-dir <path>    where data persists (default .lindung)
 *   --in-memory          throwaway run: nothing is written to disk
 *   --dynamodb-port <n>  --sqs-port <n>   fixed ports for the emulators (default: free ones)
 */
import { parseArgs } from 'node:util';
import { ensureDashboard } from '../../web/src/build.js';
import { LocalStackError } from './errors.js';
import { type LocalStack, startLocalStack } from './stack.js';

const usage =
  'Usage: npm start -- [--port 3000] [--data-dir .lindung | --in-memory] [--dynamodb-port N] [--sqs-port N]';

const port = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new LocalStackError(`--${name} must be a port number, not "${value}".`, usage);
  return n;
};

const banner = (stack: LocalStack) => `
Lindung is running locally.
  Dashboard  ${stack.httpUrl}/
  API        ${stack.httpUrl}   (health: ${stack.httpUrl}/health, OpenAPI: ${stack.httpUrl}/v1/openapi.json)
  DynamoDB   ${stack.dynamodbEndpoint}   SQS ${stack.sqsEndpoint}
  Data       ${stack.dataDir ?? 'in memory (gone when stopped)'}

Sign in as a demo user: ask for a token, then send it as a bearer token, e.g.
  TOKEN=$(curl -s -X POST ${stack.httpUrl}/local/tokens -H 'content-type: application/json' \\
    -d '{"roles":["sponsor-officer"],"sponsorId":"<sponsor id>"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -H "Authorization: Bearer $TOKEN" ${stack.httpUrl}/v1/commitments/<id>
Roles: admin, sponsor-officer, sponsor-approver, village-operator (with "villageCodes"), billing, auditor.

Press Ctrl-C to stop.
`;

const main = async () => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      'dynamodb-port': { type: 'string' },
      'sqs-port': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const log = (message: string) => console.log(`[lindung] ${message}`);
  const started = Date.now();
  await ensureDashboard(log);
  const stack = await startLocalStack({
    httpPort: port(values.port ?? process.env.PORT, 'port') ?? 3000,
    ...(values['data-dir'] && { dataDir: values['data-dir'] }),
    inMemory: values['in-memory'],
    ...(values['dynamodb-port'] && { dynamodbPort: port(values['dynamodb-port'], 'dynamodb-port') }),
    ...(values['sqs-port'] && { sqsPort: port(values['sqs-port'], 'sqs-port') }),
    log,
  });
  log(`started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(banner(stack));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log('stopping already; press Ctrl-C again to force');
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: finishing work in progress and stopping…`);
    await stack.stop();
    log('stopped; data is consistent.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
};

main().catch((error: unknown) => {
  if (error instanceof LocalStackError) {
    console.error(`\nLindung could not start: ${error.message}`);
    if (error.hint) console.error(`  ${error.hint}`);
  } else if (
    error instanceof TypeError &&
    'code' in error &&
    String(error.code).startsWith('ERR_PARSE_ARGS')
  ) {
    console.error(`${error.message}\n${usage}`);
  } else {
    console.error('Lindung could not start:', error);
  }
  process.exit(1);
});
