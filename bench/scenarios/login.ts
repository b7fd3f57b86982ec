import type { Scenario } from '../lib/context';
import { cpuSeconds, DURATION_S, fire, rowOf } from '../lib/measure';

/** Login at the production argon2id cost; identity-service's CPU per login from /proc. */
export const login: Scenario = {
  name: 'login',
  description: 'POST /v1/auth/login (argon2id m=19456 KiB, t=2, p=1)',
  async run(ctx) {
    const identityPid = ctx.stack.pid('identity-service') as number;
    const cpuBefore = cpuSeconds(identityPid);
    const r = await fire(
      {
        url: `${ctx.stack.gatewayUrl}/v1/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ctx.email, password: ctx.password }),
        connections: 4,
      },
      DURATION_S,
    );
    const cpuMsPerLogin = ((cpuSeconds(identityPid) - cpuBefore) * 1000) / Math.max(r['2xx'], 1);
    ctx.extra.login = { logins: r['2xx'], cpuMsPerLogin: +cpuMsPerLogin.toFixed(1) };
    const row = rowOf(
      'POST /v1/auth/login',
      r,
      `${cpuMsPerLogin.toFixed(1)} CPU ms per login (identity-service)`,
    );
    row.cpuUsPerReq = Math.round(cpuMsPerLogin * 1000);
    row.cpuOf = 'identity-service';
    ctx.rows.push(row);
  },
};
