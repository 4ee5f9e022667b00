/**
 * The role matrix over every route the real app (buildApp, the daemon's own) registers, enumerated from
 * fastify's route tree: anonymous, clinician, technician and admin (tokens made like `sonoedge tokens create`).
 * A route missing from EXPECTED fails the test, so a new route cannot skip its decision.
 * Allowed means the answer is neither 401 nor 403 (the handler ran and answered for itself).
 */
import { describe, expect, it } from 'vitest';
import { type Access, ROLES, type Role, allows } from '../../src/access/roles.js';
import { type TestAuth, addTokenUser } from '../helpers/auth.js';
import { buildTestApp } from '../helpers/app.js';

const EXPECTED: Record<string, Access> = {
  'GET /': 'public',
  'GET /api/health': 'public',
  'POST /api/session': 'public',
  'GET /api/session/users': 'public',
  'POST /api/session/setup': 'public',
  'GET /api/session': 'signed-in',
  'DELETE /api/session': 'signed-in',
  'GET /api/live': 'signed-in',
  'GET /api/source/region': 'signed-in',
  'GET /api/live/best': 'clinician',
  'GET /api/exams': 'clinician',
  'POST /api/exams': 'clinician',
  'GET /api/exams/:id': 'clinician',
  'GET /api/exams/:id/growth': 'clinician',
  'GET /api/exams/:id/decisions': 'clinician',
  'POST /api/exams/:id/void': 'clinician',
  'GET /api/patients': 'clinician',
  'GET /api/patients/:patientId/growth': 'clinician',
  'POST /api/exams/:id/close': 'clinician',
  'POST /api/exams/:id/resume': 'clinician',
  'POST /api/exams/:id/captures': 'clinician',
  'POST /api/exams/:id/captures/frame': 'clinician',
  'GET /api/exams/:id/clips': 'clinician',
  'POST /api/exams/:id/clips': 'clinician',
  'GET /api/exams/:id/report.pdf': 'clinician',
  'POST /api/measurements/:id/decision': 'clinician',
  'POST /api/exams/:id/sign': 'clinician',
  'GET /api/exams/:id/signatures': 'clinician',
  'POST /api/measurements/:id/second-read': 'clinician',
  'POST /api/measurements/:id/adjudicate': 'clinician',
  'GET /api/exams/:id/second-reads': 'clinician',
  'GET /api/worklist': 'clinician',
  'GET /metrics': 'technician',
  'GET /api/sync': 'technician',
  'POST /api/sync/items/:id/release': 'technician',
  'POST /api/sync/requeue': 'technician',
  'POST /api/sync/orphans/requeue': 'technician',
  'POST /api/sync/orphans/discard': 'technician',
  'GET /api/system/tls': 'technician',
  'GET /api/system/backup': 'technician',
  'POST /api/system/backup': 'technician',
  'PUT /api/source': 'technician',
  'GET /api/source/drivers': 'technician',
  'GET /api/source/calibration': 'technician',
  'PUT /api/source/calibration': 'technician',
  'PUT /api/source/region': 'technician',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'POST /api/users/:name/disable': 'admin',
  'POST /api/users/:name/enable': 'admin',
  'PUT /api/users/:name/secret': 'admin',
  'GET /api/tokens': 'admin',
  'POST /api/tokens': 'admin',
  'DELETE /api/tokens/:id': 'admin',
  'GET /api/audit': 'admin',
  'GET /api/audit/verify': 'admin',
  // model updates (registered by the daemon where a model store is wired)
  'GET /api/models': 'technician',
  'POST /api/models': 'technician',
  'POST /api/models/:id/rollback': 'technician',
  'GET /docs': 'signed-in',
  'GET /docs/': 'signed-in',
  'GET /docs/static/index.html': 'signed-in',
  'GET /docs/static/swagger-initializer.js': 'signed-in',
  'GET /docs/*': 'signed-in',
  'GET /docs/json': 'signed-in',
  'GET /docs/yaml': 'signed-in',
};

/** Every "METHOD /path" of fastify's route tree (printRoutes without common prefixes: a path is its ancestors' segments joined). */
function routesOf(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^[\s│├└─]*(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    // the root "└── /" has its segment at column 4; each level below adds 4
    stack.length = line.search(/[^\s│├└─]/) / 4 - 1;
    stack.push(m[1]!);
    for (const method of m[2]!.split(', ')) out.push(`${method} ${stack.join('')}`);
  }
  return out;
}

describe('every route the app registers, as anonymous, clinician, technician and admin', async () => {
  const t = await buildTestApp({ anonymous: true });
  const tokens = {} as Record<Role, TestAuth>;
  for (const role of ROLES) tokens[role] = await addTokenUser(t.runtime.access.services, role);
  const routes = routesOf(t.app.printRoutes({ commonPrefix: false }));

  it('enumerates the routes (the tree parses into known paths)', () => {
    expect(routes).toContain('GET /api/exams');
    expect(routes).toContain('PUT /api/source');
    expect(routes).toContain('GET /docs/json');
    expect(routes.length).toBeGreaterThan(60);
  });

  it('declares, for every route, the access this table expects (a new route must be added here)', () => {
    const undecided = routes.filter((r) => EXPECTED[r.replace(/^HEAD /, 'GET ')] === undefined);
    expect(undecided).toEqual([]);
  });

  const sample = (path: string): string => path.replace(':id', '00000000-0000-4000-8000-000000000000').replace(':name', 'nobody').replace(':patientId', 'nobody').replace('*', 'missing.js');
  it.each(['anonymous', ...ROLES] as const)('as %s: 401 without credentials, 403 for another role, anything else when allowed', async (who) => {
    const wrong: string[] = [];
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const access = EXPECTED[route.replace(/^HEAD /, 'GET ')]!;
      const headers = who === 'anonymous' ? {} : tokens[who].headers;
      const r = await t.app.inject({ method: method as 'GET', url: sample(path), headers });
      const role = who === 'anonymous' ? undefined : who;
      const ok = allows(role, access) ? r.statusCode !== 401 && r.statusCode !== 403 : r.statusCode === (role === undefined ? 401 : 403);
      if (!ok) wrong.push(`${route} (${access}) → ${r.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });
});
