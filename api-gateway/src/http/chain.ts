import type { RequestHandler } from 'express';

/**
 * Handlers run in order in one router layer, as express runs consecutive layers of one mount: a throw or a
 * rejected promise goes to `next(err)`, and so does an error a handler passes on; the last one's `next` is
 * the router's. Each layer express walks costs a match, a params object, a callback and the mount path
 * stripped and restored: the gateway's fixed sequences of handlers are one layer each.
 */
export const chain =
  (...handlers: RequestHandler[]): RequestHandler =>
  (req, res, next) => {
    let index = 0;
    const step = (err?: unknown): void => {
      // Express's own test: any truthy value passed on is an error.
      if (err) {
        next(err);
        return;
      }
      const handler = handlers[index++];
      if (!handler) {
        next();
        return;
      }
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) {
          result.catch((rejection: unknown) => next(rejection ? rejection : new Error('Rejected promise')));
        }
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
