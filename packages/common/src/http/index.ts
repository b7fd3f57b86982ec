import './express-augment';

export * from './errors';
export { requestContext, requestIdFrom, REQUEST_ID_HEADER } from './request-context';
export { validate, type RequestSchemas, type ValidatedInput, type Validator } from './validate';
export { errorHandler, notFound, sendError, MAX_ERROR_DETAILS, type ErrorMapper } from './error-handler';
export { jsonBody } from './body';
export { accessLog } from './access-log';
export { objectId, pagination, paginate, type PageQuery } from './pagination';
export { userText } from './user-text';
export { createServiceApp, type ServiceAppOptions } from './service-app';
export { createInternalApp, startInternalServer } from './internal-app';
export {
  createCursorCodec,
  cursorPagination,
  type CursorCodec,
  type CursorPage,
  type CursorPosition,
  type CursorQuery,
} from './cursor';
