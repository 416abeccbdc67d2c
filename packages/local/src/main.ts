/**
 * `npm start`: runs the whole of Lindung on this machine with no AWS account.
 *   --port <n>           HTTP port (default 3000, or $PORT)
 *   --data-dir <path>    where data persists (default .lindung)
 *   --in-memory          throwaway run: nothing is written to disk
 *   --dynamodb-port <n>  --sqs-port <n>   fixed ports for the emulators (default: free ones)
 *   --source             run the functions from their TypeScript sources in this process (quick iteration)
 *                        instead of the Lambda bundles the CDK deploys, each in its own worker thread
 *   --demo               once started, fill the stack with a living Jambi sample (see demo-seed.ts); in memory
 *                        unless --data-dir is named (then running it again finds the sample, never doubles it)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDashboard } from '../../web/src/build.js';
import { demoBanner, seedDemo } from './demo-seed.js';
import { LocalStackError } from './errors.js';
import { stopOnSignals } from './shutdown.js';
import { type LocalStack, startLocalStack } from './stack.js';

const usage =
  'Usage: npm start -- [--port 3000] [--data-dir .lindung | --in-memory] [--dynamodb-port N] [--sqs-port N] [--source] [--demo]';

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

Sign in as a demo user: ask for a token (it expires in 12 h), then send it as a bearer token, e.g.
  TOKEN=$(curl -s -X POST ${stack.httpUrl}/local/tokens -H 'content-type: application/json' \\
    -d '{"roles":["auditor"]}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -H "Authorization: Bearer $TOKEN" ${stack.httpUrl}/v1/reports/coverage
The README's "Your first hour" goes on from there to a paid invoice; \`npm start -- --demo\` seeds a sample.
Roles: admin, sponsor-officer, sponsor-approver, village-operator (with "villageCodes"), billing, auditor, collector (with "partnerId"), regional-office (with "regionCodes").

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
      source: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const log = (message: string) => console.log(`[lindung] ${message}`);
  // Installed before the start, so a Ctrl-C during the start (the JVM takes seconds) waits for it and then
  // stops cleanly instead of leaving half-started emulators behind.
  let starting: Promise<LocalStack> | undefined;
  const onSignal = stopOnSignals({
    stop: async () => {
      const stack = await starting?.catch(() => undefined);
      await stack?.stop();
    },
    log,
    exit: (code) => process.exit(code),
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const started = Date.now();
  await ensureDashboard(log);
  starting = startLocalStack({
    httpPort: port(values.port ?? process.env.PORT, 'port') ?? 3000,
    ...(values['data-dir'] && { dataDir: values['data-dir'] }),
    inMemory: values['in-memory'] || (values.demo && !values['data-dir']),
    ...(values['dynamodb-port'] && { dynamodbPort: port(values['dynamodb-port'], 'dynamodb-port') }),
    ...(values['sqs-port'] && { sqsPort: port(values['sqs-port'], 'sqs-port') }),
    ...(values.source && { functionCode: 'source' as const }),
    log,
  });
  const stack = await starting;
  log(`started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(banner(stack));
  if (values.demo) {
    log('demo: seeding the Jambi sample through the API…');
    const stateFile = stack.dataDir && join(stack.dataDir, 'demo.json');
    // A failed seed leaves the stack running (and stoppable with Ctrl-C) and says why.
    await seedDemo({ baseUrl: stack.httpUrl, log, ...(stateFile && { stateFile }) }).then(
      (sample) => console.log(demoBanner(stack.httpUrl, sample)),
      (error: unknown) => console.error(`[lindung] demo: the sample could not be seeded: ${String(error)}`),
    );
  }
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
