export { createMediaClient, type MediaClient, type MediaClientOptions, type MediaRef } from './media-client';
