import './express-augment';

export * from './errors';
export { requestContext, requestIdFrom, REQUEST_ID_HEADER } from './request-context';
export { validate, type RequestSchemas } from './validate';
export { errorHandler, notFound, sendError } from './error-handler';
export { jsonBody } from './body';
export { accessLog } from './access-log';
export { objectId, pagination, paginate, type PageQuery } from './pagination';
export { createServiceApp, type ServiceAppOptions } from './service-app';
