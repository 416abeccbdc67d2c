/**
 * The local API Gateway: turns each HTTP request into an API Gateway HTTP API (payload v2) event for the
 * very handler Lambda runs, validates bearer tokens for `jwt` routes like the JWT authorizer, and writes
 * the handler's result back. Also serves the local-only `POST /local/tokens`.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { matchRoute, type RouteDefinition, routeKey } from '@lindung/api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { type LambdaHandler, lambdaContext } from './lambda.js';
import { gatewayClaims, type LocalTokenIssuer } from './tokens.js';

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit

export interface LocalHttpOptions {
  readonly port: number;
  readonly routes: readonly RouteDefinition[];
  readonly handler: LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 | string>;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly tokens: LocalTokenIssuer;
  readonly onError?: (error: unknown) => void;
  /** The dashboard's built files (packages/web/dist), served for GET requests that are not API routes. */
  readonly staticDir?: string;
}

const STATIC_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * A file of the dashboard, as CloudFront serves it: a path without an extension is a route of the
 * single-page app and gets index.html. `undefined` when there is no such file (or no build).
 */
const staticFile = async (dir: string, pathname: string) => {
  try {
    const relative = extname(pathname) ? decodeURIComponent(pathname) : '/index.html';
    const file = normalize(join(dir, relative));
    if (!file.startsWith(normalize(dir) + sep)) return undefined;
    return { body: await readFile(file), type: STATIC_TYPES[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
};

const tokenRequestSchema = z.object({
  roles: z.array(z.string().min(1)).min(1),
  sponsorId: z.string().min(1).optional(),
  villageCodes: z.array(z.string().min(1)).optional(),
  partnerId: z.string().min(1).optional(),
  regionCodes: z.array(z.string().min(1)).optional(),
  sub: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
});

const TEXT_TYPES = /^(text\/|application\/(json|problem\+json|xml|x-www-form-urlencoded|csv))/;

class PayloadTooLargeError extends Error {}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new PayloadTooLargeError());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string>) => {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
};

const sendProblem = (res: ServerResponse, status: number, code: string, title: string) =>
  send(res, status, JSON.stringify({ type: `https://lindung.id/problems/${code}`, title, status, code }), {
    'content-type': 'application/problem+json; charset=utf-8',
  });

const joinedHeaders = (req: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
};

const queryParameters = (url: URL): Record<string, string> | undefined => {
  const params: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    params[name] = name in params ? `${params[name]},${value}` : value;
  return Object.keys(params).length > 0 ? params : undefined;
};

/** Builds the API Gateway v2 event for a request. */
export const toGatewayEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEventV2 => {
  const headers = joinedHeaders(req);
  const textual = TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie && { cookies: req.headers.cookie.split(/;\s*/) }),
    headers,
    ...(queryParameters(url) && { queryStringParameters: queryParameters(url) }),
    ...(Object.keys(pathParameters).length > 0 && { pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
    },
    ...(body.length > 0 && {
      body: textual ? body.toString('utf8') : body.toString('base64'),
    }),
    isBase64Encoded: body.length > 0 && !textual,
  };
  return event as APIGatewayProxyEventV2;
};

const writeResult = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string) => {
  // A handler returning a bare value gets API Gateway's default: 200 with a JSON body.
  if (typeof result === 'string' || !('statusCode' in result)) {
    send(res, 200, typeof result === 'string' ? result : JSON.stringify(result), {
      'content-type': 'application/json',
    });
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  const body = result.body ?? '';
  const buffer = result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  res.writeHead(result.statusCode ?? 200, { 'content-length': buffer.length, ...headers });
  res.end(buffer);
};

const bearer = (req: IncomingMessage): string | undefined => {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
};

/** Starts the local API Gateway on 127.0.0.1. */
export const startHttpServer = async (options: LocalHttpOptions): Promise<Server> => {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/local/tokens') {
      let parsed: z.infer<typeof tokenRequestSchema>;
      try {
        parsed = tokenRequestSchema.parse(JSON.parse(body.toString('utf8') || '{}'));
      } catch {
        return sendProblem(
          res,
          422,
          'validation-failed',
          'Expected { roles: string[], sponsorId?, villageCodes?, partnerId?, regionCodes? }',
        );
      }
      const token = await options.tokens.issue(parsed);
      return send(res, 201, JSON.stringify({ token, tokenType: 'Bearer', expiresIn: 43_200 }), {
        'content-type': 'application/json',
      });
    }
    const match = matchRoute(options.routes, req.method ?? 'GET', url.pathname);
    if (!match && options.staticDir && req.method === 'GET' && !/^\/(v1|local)(\/|$)/.test(url.pathname)) {
      const file = await staticFile(options.staticDir, url.pathname);
      if (file) {
        res.writeHead(200, {
          'content-type': file.type,
          'content-length': file.body.length,
          'cache-control': 'no-cache',
        });
        return res.end(file.body);
      }
    }
    if (!match) return sendProblem(res, 404, 'not-found', 'No such route');
    let claims: Record<string, string> | undefined;
    if (match.route.auth === 'jwt') {
      const token = bearer(req);
      const verified = token ? await options.tokens.verify(token) : undefined;
      if (!verified) return sendProblem(res, 401, 'unauthenticated', 'A valid bearer token is required');
      claims = gatewayClaims(verified);
    }
    const event = toGatewayEvent(req, url, body, match.route, match.pathParameters, claims);
    const result = await options.handler(event, lambdaContext(options.functionName, options.timeoutSeconds));
    writeResult(res, result);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof PayloadTooLargeError)
        return sendProblem(res, 413, 'payload-too-large', 'Body over 10 MB');
      options.onError?.(error);
      // API Gateway answers a crashed integration with a bare 500; nothing of the error leaks.
      if (!res.headersSent) sendProblem(res, 500, 'internal-error', 'Internal Server Error');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
};
