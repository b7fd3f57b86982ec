import net from 'node:net';
import Joi from 'joi';

/** Express `trust proxy`: everything, nothing, a hop count, or a list of trusted addresses and subnets. */
export type TrustProxy = boolean | number | string;

// The names Express (proxy-addr) knows, besides addresses and subnets.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `10.0.0.1`, `::1`, `10.0.0.0/8`, `fc00::/7` or `10.0.0.0/255.0.0.0`, as proxy-addr accepts them. */
function isAddressOrSubnet(entry: string): boolean {
  const [address = '', range, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && net.isIPv4(range);
}

const isTrustList = (value: string): boolean =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .every((entry) => NAMED_RANGES.has(entry) || isAddressOrSubnet(entry));

/**
 * One `TRUST_PROXY` syntax for every service: `true`, `false`, a hop count, or a comma-separated list of
 * addresses, subnets and the names loopback/linklocal/uniquelocal. Whoever is trusted may set
 * `X-Forwarded-For`, and with it the client address the rate limiters key on, so an unparsable value is a
 * configuration error at start rather than a surprise in Express.
 */
export const trustProxyKey = (defaultValue: TrustProxy): Joi.AlternativesSchema =>
  Joi.alternatives()
    .try(
      Joi.boolean(),
      Joi.number().integer().min(0),
      Joi.string()
        .trim()
        .custom((value: string, helpers) => (isTrustList(value) ? value : helpers.error('any.invalid'))),
    )
    .default(defaultValue)
    .messages({
      'any.invalid':
        '{#label} must be true, false, a hop count, or addresses/subnets (loopback, linklocal, uniquelocal)',
      'alternatives.match':
        '{#label} must be true, false, a hop count, or addresses/subnets (loopback, linklocal, uniquelocal)',
    });

/**
 * A service behind the gateway trusts only the peers that may proxy to it: loopback by default (the gateway of
 * `npm run dev`), the compose network in docker-compose. Anyone else reaching it directly is keyed by its own
 * socket address, whatever `X-Forwarded-For` it sends.
 */
export const trustProxyConfigKeys = {
  TRUST_PROXY: trustProxyKey('loopback').description(
    'who may set X-Forwarded-For: false, true, a hop count, or trusted addresses/subnets',
  ),
};
export interface TrustProxyConfig {
  TRUST_PROXY: TrustProxy;
}
