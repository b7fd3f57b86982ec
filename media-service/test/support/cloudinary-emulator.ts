import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import multer from 'multer';

export interface EmulatorRequest {
  action: 'upload' | 'destroy';
  cloudName: string;
  resourceType: string;
  params: Record<string, string>;
  file?: Buffer;
  signatureValid: boolean;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl for this test run only. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cloudinary-emulator-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Cloudinary's documented request signature: every parameter except file, api_key, resource_type and
 * signature itself, sorted by name, `k=v` joined with `&`, the API secret appended, SHA-1 in hex.
 */
export function cloudinarySignature(params: Record<string, string>, apiSecret: string): string {
  const toSign = Object.keys(params)
    .filter(
      (k) => !['file', 'api_key', 'resource_type', 'signature', 'cloud_name'].includes(k) && params[k] !== '',
    )
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('sha1')
    .update(toSign + apiSecret)
    .digest('hex');
}

/**
 * A small HTTPS stand-in for the Cloudinary Upload API: checks the request shape and signature, stores
 * uploads in memory and answers with Cloudinary-shaped JSON. The real SDK talks to it via `upload_prefix`.
 */
export async function startCloudinaryEmulator(options: {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
}) {
  const { key, cert } = selfSignedCertificate();
  const requests: EmulatorRequest[] = [];
  const assets = new Map<string, Buffer>(); // `${resourceType}/${publicId}`
  let failNext: number | undefined;

  const app = express();
  const parts = multer({ storage: multer.memoryStorage() }).any();
  app.post('/v1_1/:cloud/:resourceType/:action', parts, (req, res) => {
    const { cloud = '', resourceType = '', action = '' } = req.params as Record<string, string | undefined>;
    const params = { ...(req.body as Record<string, string>) };
    const files = (req.files ?? []) as Express.Multer.File[];
    const signatureValid =
      params.api_key === options.apiKey &&
      /^\d+$/.test(params.timestamp ?? '') &&
      Math.abs(Date.now() / 1000 - Number(params.timestamp)) < 3600 &&
      params.signature === cloudinarySignature(params, options.apiSecret);
    requests.push({
      action: action as EmulatorRequest['action'],
      cloudName: cloud,
      resourceType,
      params,
      file: files[0]?.buffer,
      signatureValid,
    });

    if (failNext) {
      const status = failNext;
      failNext = undefined;
      res.status(status).json({ error: { message: 'General Error' } });
      return;
    }
    if (cloud !== options.cloudName) {
      res.status(401).json({ error: { message: `Invalid cloud_name ${cloud}` } });
      return;
    }
    if (!signatureValid) {
      res.status(401).json({ error: { message: 'Invalid Signature' } });
      return;
    }
    if (action === 'upload') {
      const file = files.find((f) => f.fieldname === 'file');
      if (!file) {
        res.status(400).json({ error: { message: 'Missing required parameter - file' } });
        return;
      }
      const publicId = [params.folder, randomBytes(10).toString('hex')].filter(Boolean).join('/');
      assets.set(`${resourceType}/${publicId}`, file.buffer);
      const version = Math.floor(Date.now() / 1000);
      res.json({
        asset_id: randomBytes(16).toString('hex'),
        public_id: publicId,
        version,
        resource_type: resourceType,
        type: 'upload',
        bytes: file.size,
        created_at: new Date().toISOString(),
        url: `http://res.cloudinary.com/${cloud}/${resourceType}/upload/v${version}/${publicId}`,
        secure_url: `https://res.cloudinary.com/${cloud}/${resourceType}/upload/v${version}/${publicId}`,
      });
      return;
    }
    if (action === 'destroy') {
      const existed = assets.delete(`${resourceType}/${params.public_id}`);
      res.json({ result: existed ? 'ok' : 'not found' });
      return;
    }
    res.status(404).json({ error: { message: 'Unknown action' } });
  });

  const server = https.createServer({ key, cert }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new https.Agent({ ca: cert, keepAlive: false });

  return {
    uploadPrefix: `https://127.0.0.1:${port}`,
    agent,
    requests,
    assets,
    /** The next request fails with this HTTP status. */
    failNext: (status: number) => {
      failNext = status;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type CloudinaryEmulator = Awaited<ReturnType<typeof startCloudinaryEmulator>>;
