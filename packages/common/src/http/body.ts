import express, { type RequestHandler } from 'express';

/** JSON bodies only, up to `limit`; bad JSON and oversized bodies become 400/413 in the error handler. */
export const jsonBody = (limit = '100kb'): RequestHandler => express.json({ limit, strict: true });
