// The release, from package.json: in the User-Agent, the generator and every ETag.
export { version as VERSION } from '../package.json';
