import type { K8sObject } from './kustomize';

/**
 * Decides whether NetworkPolicy objects allow one connection, with the semantics of the Kubernetes API (a pod
 * selected by no policy of a direction is open in that direction; otherwise some rule must match both the peer
 * and the port; a connection needs the source's egress and the destination's ingress). Enough to assert who may
 * talk to whom without a cluster. ipBlock peers and SCTP are not modelled: a policy using them is rejected.
 */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface PodEndpoint {
  namespace: string;
  labels: Record<string, string>;
  ports: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

/** A peer outside the cluster's pods (a managed database, the internet, a DNS cache on a node address). */
export interface ExternalEndpoint {
  external: true;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  /** A port name of the destination pod, or a number. */
  port: string | number;
  protocol?: 'TCP' | 'UDP';
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

export class UnsupportedPolicyError extends Error {
  override name = 'UnsupportedPolicyError';
}

export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key] as string);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key] as string);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new UnsupportedPolicyError(`selector operator ${operator}`);
    }
  });
  return byLabels && byExpressions;
}

const isPod = (e: Endpoint): e is PodEndpoint => !('external' in e);
// Namespaces carry their name as a label (kubernetes.io/metadata.name, set by the API server since 1.21).
const namespaceLabels = (namespace: string): Record<string, string> => ({
  'kubernetes.io/metadata.name': namespace,
});

function peerMatches(peer: PolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock !== undefined) throw new UnsupportedPolicyError('ipBlock peers');
  if (!isPod(other)) return false;
  const namespaceOk = peer.namespaceSelector
    ? matchesSelector(peer.namespaceSelector, namespaceLabels(other.namespace))
    : other.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? matchesSelector(peer.podSelector, other.labels) : true);
}

/** The destination's port number and protocol, or undefined for a name the destination does not have. */
function resolvePort(
  port: string | number,
  protocol: string,
  destination: Endpoint,
): { number: number; protocol: string } | undefined {
  if (typeof port === 'number') return { number: port, protocol };
  if (!isPod(destination)) return undefined;
  const found = destination.ports.find((p) => p.name === port && (p.protocol ?? 'TCP') === protocol);
  return found ? { number: found.containerPort, protocol } : undefined;
}

function portMatches(rulePorts: PolicyPort[] | undefined, connection: Connection): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  const protocol = connection.protocol ?? 'TCP';
  const wanted = resolvePort(connection.port, protocol, connection.to);
  if (!wanted) return false;
  return rulePorts.some((p) => {
    const ruleProtocol = p.protocol ?? 'TCP';
    if (ruleProtocol === 'SCTP') throw new UnsupportedPolicyError('SCTP ports');
    if (ruleProtocol !== wanted.protocol) return false;
    if (p.port === undefined) return true;
    const rulePort = resolvePort(p.port, ruleProtocol, connection.to);
    if (!rulePort) return false;
    return p.endPort !== undefined
      ? wanted.number >= rulePort.number && wanted.number <= p.endPort
      : wanted.number === rulePort.number;
  });
}

function policyTypes(spec: PolicySpec): string[] {
  return spec.policyTypes ?? ['Ingress', ...(spec.egress ? ['Egress'] : [])];
}

function directionAllows(
  policies: K8sObject[],
  direction: 'Ingress' | 'Egress',
  subject: Endpoint,
  peer: Endpoint,
  connection: Connection,
): boolean {
  if (!isPod(subject)) return true; // policies govern pods only
  const applying = policies.filter((p) => {
    const spec = p.spec as PolicySpec;
    return (
      p.metadata.namespace === subject.namespace &&
      policyTypes(spec).includes(direction) &&
      matchesSelector(spec.podSelector, subject.labels)
    );
  });
  if (applying.length === 0) return true;
  return applying.some((p) => {
    const spec = p.spec as PolicySpec;
    const rules = (direction === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk =
        !peers || peers.length === 0 || peers.some((x) => peerMatches(x, p.metadata.namespace ?? '', peer));
      return peerOk && portMatches(rule.ports, connection);
    });
  });
}

/** Whether the NetworkPolicy objects among `objects` let `connection` through. */
export function allows(objects: K8sObject[], connection: Connection): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  return (
    directionAllows(policies, 'Egress', connection.from, connection.to, connection) &&
    directionAllows(policies, 'Ingress', connection.to, connection.from, connection)
  );
}
