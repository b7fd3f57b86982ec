import express from 'express';
import Joi from 'joi';
import request from 'supertest';
import { silentLogger } from '@social/testkit/helpers';
import { errorHandler, objectId, paginate, pagination, requestContext, validate } from '../src/http';

describe('objectId', () => {
  const app = express().use(requestContext());
  const postId = validate({ params: Joi.object<{ id: string }, true>({ id: objectId().required() }) });
  app.get('/posts/:id', postId, (_req, res) => {
    res.json({ success: true, params: postId.input(res).params });
  });
  app.use(errorHandler(silentLogger()));

  test.each([
    ['too short and not hex', 'zz'],
    ['not hex', 'g'.repeat(24)],
    ['too long', 'a'.repeat(25)],
  ])('when the id is %s, then 400 with exactly one detail', async (_case, id) => {
    // Act
    const res = await request(app).get(`/posts/${id}`);

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: 'params.id', reason: 'id must be a 24-character hex id' }]);
  });

  test('when the id is 24 hex characters, then it passes', async () => {
    // Act
    const res = await request(app).get('/posts/64b7f0c2a1b2c3d4e5f60718');

    // Assert
    expect(res.body).toEqual({ success: true, params: { id: '64b7f0c2a1b2c3d4e5f60718' } });
  });
});

describe('pagination', () => {
  const schema = Joi.object(pagination(20, 5));

  test('when nothing is given, then page 1 with the default limit', () => {
    expect(schema.validate({})).toEqual({ value: { page: 1, limit: 5 } });
  });

  test('when the limit is over the maximum or the page below 1, then both are rejected', () => {
    // Act
    const { error } = schema.validate({ page: 0, limit: 21 }, { abortEarly: false });

    // Assert
    expect(error?.details.map((d) => d.path.join('.'))).toEqual(['page', 'limit']);
  });
});

describe('paginate', () => {
  test.each([
    [{ page: 1, limit: 10 }, 0, { skip: 0, totalPages: 0 }],
    [{ page: 1, limit: 10 }, 10, { skip: 0, totalPages: 1 }],
    [{ page: 3, limit: 10 }, 21, { skip: 20, totalPages: 3 }],
    [{ page: 2, limit: 7 }, 14, { skip: 7, totalPages: 2 }],
    [{ page: 4, limit: 5 }, undefined, { skip: 15, totalPages: 0 }],
  ])('when %o with total %p, then %o', (query, total, expected) => {
    expect(paginate(query, total)).toEqual(expected);
  });
});
