import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { bearerToken, userOf } from '@social/common/auth';
import { BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH } from '@social/common/events';
import {
  cursorPagination,
  jsonBody,
  objectId,
  userText,
  validate,
  type CursorQuery,
} from '@social/common/http';
import { deleteAccount } from '../domain/delete-account';
import type { IdentityDomainDeps } from '../domain/deps';
import { followUser, unfollowUser } from '../domain/follow-user';
import { getMyProfile, getProfile, getProfileByUsername } from '../domain/get-profile';
import { listFollows, type FollowSide } from '../domain/list-follows';
import { updateMyProfile, type ProfileChanges } from '../domain/update-profile';

const profileChangesInput = validate({
  body: Joi.object<ProfileChanges, true>({
    displayName: userText({ max: DISPLAY_NAME_MAX_LENGTH }),
    bio: userText({ max: BIO_MAX_LENGTH, multiline: true }).allow(''),
    avatarMediaId: objectId().lowercase().allow(null),
  })
    .min(1)
    .messages({ 'object.min': 'name at least one of displayName, bio, avatarMediaId' }),
});
const deleteAccountInput = validate({
  body: Joi.object<{ password: string }, true>({ password: Joi.string().min(1).max(128).required() }),
});
const userIdInput = validate({
  params: Joi.object<{ id: string }, true>({ id: objectId().lowercase().required() }),
});
const usernameInput = validate({
  params: Joi.object<{ username: string }, true>({ username: Joi.string().max(100).required() }),
});
const followListInput = validate({
  params: Joi.object<{ id: string }, true>({ id: objectId().lowercase().required() }),
  query: Joi.object<CursorQuery, true>(cursorPagination()),
});

export interface UsersRoutesDeps extends IdentityDomainDeps {
  jsonBodyLimit: string;
  /** Deleting the account checks the password with argon2: it spends the same per-IP budget as login. */
  argon2Budget: RequestHandler;
}

/** `/api/users`, behind requireAuth: profiles, the follow graph, account deletion. */
export function usersRoutes(deps: UsersRoutesDeps): Router {
  const router = Router();
  router.use(jsonBody(deps.jsonBodyLimit));

  router.get('/me', async (req, res) => {
    res.json({ success: true, user: await getMyProfile(deps, { userId: userOf(req).id }) });
  });

  router.patch('/me', profileChangesInput, async (req, res) => {
    const user = await updateMyProfile(deps, {
      userId: userOf(req).id,
      changes: profileChangesInput.input(res).body,
      // The avatar is checked in media-service as the caller: requireAuth verified this token.
      accessToken: bearerToken(req.headers.authorization) ?? '',
      correlationId: req.requestId,
    });
    res.json({ success: true, user });
  });

  router.delete('/me', deleteAccountInput, deps.argon2Budget, async (req, res) => {
    const { password } = deleteAccountInput.input(res).body;
    await deleteAccount(deps, { userId: userOf(req).id, password, correlationId: req.requestId });
    res.json({ success: true, message: 'Account deleted' });
  });

  router.get('/by-username/:username', usernameInput, async (req, res) => {
    const { username } = usernameInput.input(res).params;
    res.json({
      success: true,
      user: await getProfileByUsername(deps, { username, viewerId: userOf(req).id }),
    });
  });

  router.get('/:id', userIdInput, async (req, res) => {
    const { id } = userIdInput.input(res).params;
    res.json({ success: true, user: await getProfile(deps, { userId: id, viewerId: userOf(req).id }) });
  });

  router.put('/:id/follow', userIdInput, async (req, res) => {
    const pair = { followerId: userOf(req).id, followeeId: userIdInput.input(res).params.id };
    res.json({ success: true, ...(await followUser(deps, { ...pair, correlationId: req.requestId })) });
  });

  router.delete('/:id/follow', userIdInput, async (req, res) => {
    const pair = { followerId: userOf(req).id, followeeId: userIdInput.input(res).params.id };
    res.json({ success: true, ...(await unfollowUser(deps, { ...pair, correlationId: req.requestId })) });
  });

  const listOf =
    (side: FollowSide): RequestHandler =>
    async (req, res) => {
      const { params, query } = followListInput.input(res);
      const page = await listFollows(deps, { userId: params.id, side, viewerId: userOf(req).id, ...query });
      res.json({ success: true, ...page });
    };
  router.get('/:id/followers', followListInput, listOf('followers'));
  router.get('/:id/following', followListInput, listOf('following'));

  return router;
}
