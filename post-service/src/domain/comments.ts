import { NotFoundError, type CursorCodec, type CursorQuery } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import {
  deleteComment as deleteCommentEdge,
  deleteCommentById,
  insertComment,
  listCommentsOfPost,
  toCommentDto,
  type CommentDto,
} from '../models/comment.model';
import {
  beginEngagementChange,
  finishEngagementChange,
  findVisibleAuthor,
} from '../models/post-engagement.model';
import type { EngagementDeps } from './engagement';

export interface CommentPage {
  comments: CommentDto[];
  nextCursor: string | null;
}

const postNotFound = (): NotFoundError => new NotFoundError('Post not found');

/** Comments on a visible post and moves its commentCount with the comment (a change bracketed on the post). */
export async function addComment(
  deps: Pick<EngagementDeps, 'posts' | 'comments' | 'engagementCache'> & { log: Logger },
  cmd: { postId: string; userId: string; content: string },
): Promise<CommentDto> {
  if (!(await beginEngagementChange(deps.posts, { postId: cmd.postId, visibleOnly: true })))
    throw postNotFound();
  const comment = await insertComment(deps.comments, cmd);
  const counts = await finishEngagementChange(deps.posts, {
    postId: cmd.postId,
    change: { commentCount: 1 },
    visibleOnly: true,
  });
  if (!counts) {
    // The post was deleted between the check and the insert, and its comments may already be swept: take
    // this one back so nothing is left pointing at it.
    await deleteCommentById(deps.comments, comment._id.toHexString());
    throw postNotFound();
  }
  await deps.engagementCache.changed({ postId: cmd.postId }); // fail-soft
  deps.log.info('comment added', { postId: cmd.postId, commentId: comment._id.toHexString() });
  return toCommentDto(comment);
}

/**
 * One page of a visible post's comments, oldest first. The cursor is bound to this post's list
 * (`comments:<postId>`): one from another list, or tampered with, is a 400.
 */
export async function listComments(
  deps: Pick<EngagementDeps, 'posts' | 'comments'> & { cursors: CursorCodec },
  cmd: { postId: string } & CursorQuery,
): Promise<CommentPage> {
  const scope = `comments:${cmd.postId}`;
  const after = cmd.cursor === undefined ? undefined : deps.cursors.decode(scope, cmd.cursor);
  if (!(await findVisibleAuthor(deps.posts, cmd.postId))) throw postNotFound();
  // One more than asked for says whether a next page exists, without a count.
  const found = await listCommentsOfPost(deps.comments, { postId: cmd.postId, after, limit: cmd.limit + 1 });
  const page = found.slice(0, cmd.limit);
  const last = page.at(-1);
  const nextCursor =
    found.length > cmd.limit && last
      ? deps.cursors.encode(scope, { t: last.createdAt.getTime(), id: last._id.toHexString() })
      : null;
  return { comments: page.map(toCommentDto), nextCursor };
}

/**
 * Deletes a comment: its author may, and so may the post's author (moderating their own post). Anyone else
 * gets the same 404 as for a comment that does not exist, so nobody learns which ids exist.
 */
export async function removeComment(
  deps: Pick<EngagementDeps, 'posts' | 'comments' | 'engagementCache'> & { log: Logger },
  cmd: { postId: string; commentId: string; userId: string },
): Promise<void> {
  const post = await beginEngagementChange(deps.posts, { postId: cmd.postId, visibleOnly: true });
  if (!post) throw postNotFound();
  const deleted = await deleteCommentEdge(deps.comments, { ...cmd, anyAuthor: post.authorId === cmd.userId });
  // The comment is gone, so the count drops even if the post was deleted meanwhile (it goes with the post).
  await finishEngagementChange(deps.posts, {
    postId: cmd.postId,
    change: deleted ? { commentCount: -1 } : {},
    visibleOnly: false,
  });
  if (!deleted) throw new NotFoundError('Comment not found');
  await deps.engagementCache.changed({ postId: cmd.postId }); // fail-soft
  deps.log.info('comment deleted', { postId: cmd.postId, commentId: cmd.commentId });
}
